/**
 * applyImport against a real engine and real borg (secrets in memory): what it answers per profile
 * when the passphrase is wrong or missing or the repository is not there, and that a save the
 * schema refuses, or one against a config.json that moved on, writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { borg, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore, keyringAccount } from '../../src/secrets/keyring.js';
import { applyImport, importExit } from '../../src/import/apply.js';
import type { ImportResult, ImportedProfile } from '../../src/import/model.js';

const PASS = 'ocean-lantern-92';

describe('applyImport with real borg', () => {
  let sb: Sandbox;
  let repo: string;
  let plainRepo: string;
  let docs: string;
  const script = '/Users/ada/bin/backup.sh';

  const profile = (over: Partial<ImportedProfile> = {}): ImportedProfile => ({
    id: 'docs',
    name: 'Documents',
    repository: repo,
    sources: [docs],
    archiveName: '{hostname}-{now}',
    prune: { keepDaily: 7 },
    ...over,
  });
  const result = (over: Partial<ImportResult> = {}): ImportResult => ({
    format: 'shell',
    files: [script],
    profiles: [profile()],
    secrets: [],
    oldJobs: [],
    report: [],
    ...over,
  });
  const open = async (secrets = new MemorySecretStore()) => {
    // The engine reads HOME for `~` and placement; borg's own dirs stay in the sandbox.
    const { engine } = await Engine.open({ configDir: sb.configDir, secrets });
    return { engine, secrets };
  };
  const configText = () => fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');

  beforeAll(async () => {
    sb = await sandbox('dandelion-import-engine-');
    process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
    docs = path.join(sb.dir, 'docs');
    await fs.mkdir(docs);
    await fs.writeFile(path.join(docs, 'a.txt'), 'a\n');
    repo = path.join(sb.dir, 'repo');
    plainRepo = path.join(sb.dir, 'plain');
    expect((await borg(sb, ['init', '--encryption', 'repokey', repo], PASS)).exitCode).toBe(0);
    expect((await borg(sb, ['init', '--encryption', 'none', plainRepo])).exitCode).toBe(0);
  }, 60_000);

  afterAll(async () => {
    delete process.env.BORG_BASE_DIR;
    await sb?.cleanup();
  });

  it('a wrong passphrase is not stored, and the answer says the repository is reachable but the passphrase is wrong', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { engine, secrets } = await open();
    const o = await applyImport(engine, result({ secrets: [{ profile: 'docs', passphrase: 'not-it', at: { file: script, line: 3 } }] }));
    expect(o.saved).toBe(true);
    expect(o.profiles[0]).toMatchObject({ passphraseStored: false, check: { reachable: true, passphrase: 'wrong' } });
    expect(await secrets.get(keyringAccount(repo))).toBeNull();
    const todo = o.report.find((r) => r.kind === 'todo' && r.at?.line === 3 && /not stored/.test(r.message));
    expect(todo?.message).toContain('dandelion passphrase set docs');
    // The line's own to-do does not claim the passphrase is kept anywhere: it was not.
    const remove = o.report.filter((r) => r.kind === 'todo' && r.at?.line === 3 && /^Remove/.test(r.message));
    expect(remove.map((r) => r.message)).toEqual([expect.stringContaining('once it is stored')]);
    expect(JSON.stringify(o)).not.toContain('not-it');
    expect(importExit(o)).toBe(1);
  }, 60_000);

  it('the right passphrase is stored and opens the repository; encryption is found out', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { engine, secrets } = await open();
    const o = await applyImport(engine, result({ secrets: [{ profile: 'docs', passphrase: PASS, at: { file: script, line: 3 } }] }));
    expect(o.profiles[0]).toMatchObject({ passphraseStored: true, check: { reachable: true, passphrase: 'opens', encryption: 'repokey' } });
    expect(await secrets.get(keyringAccount(repo))).toBe(PASS);
    expect(await configText()).not.toContain(PASS);
  }, 60_000);

  it('no passphrase in the file: saved, and "missing" with what to do', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { engine } = await open();
    const o = await applyImport(engine, result());
    expect(o.saved).toBe(true);
    expect(o.profiles[0]!.check).toMatchObject({ passphrase: 'missing' });
    expect(o.report.some((r) => r.kind === 'todo' && r.profile === 'docs')).toBe(true);
  }, 60_000);

  it('an unencrypted repository needs no passphrase; a repository that is not there is not reachable', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { engine } = await open();
    const o = await applyImport(
      engine,
      result({
        profiles: [profile({ id: 'plain', repository: plainRepo }), profile({ id: 'gone', repository: path.join(sb.dir, 'nowhere') })],
      }),
    );
    expect(o.saved).toBe(true);
    expect(o.profiles.find((p) => p.id === 'plain')!.check).toMatchObject({
      reachable: true,
      passphrase: 'not-needed',
      encryption: 'none',
    });
    expect(o.profiles.find((p) => p.id === 'gone')!.check).toMatchObject({ reachable: false });
  }, 60_000);

  it('dry run: the same answer, nothing written, stored or checked', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const before = await configText();
    const { engine, secrets } = await open();
    const o = await applyImport(engine, result({ secrets: [{ profile: 'docs', passphrase: PASS, at: { file: script, line: 3 } }] }), {
      dryRun: true,
    });
    expect(o).toMatchObject({ dryRun: true, saved: false, errors: [] });
    expect(o.profiles[0]).toMatchObject({ id: 'docs', check: null, passphraseStored: null });
    expect(await configText()).toBe(before);
    expect(await secrets.get(keyringAccount(repo))).toBeNull();
  });

  it('an id in use gets a new one; the same repository and archive names are not added twice', async () => {
    await writeConfig(sb.configDir, {
      profiles: [{ id: 'docs', repository: plainRepo, sources: [docs], archiveName: 'other-{now}', encryption: 'none' }],
    });
    const { engine } = await open();
    const o = await applyImport(
      engine,
      result({ profiles: [profile(), profile({ id: 'again', repository: plainRepo, archiveName: 'other-{now}' })] }),
      { check: false },
    );
    expect(o.saved).toBe(true);
    expect(o.profiles.map((p) => [p.id, p.importedAs])).toEqual([['docs-2', 'docs']]);
    expect(o.skipped).toEqual([{ importedAs: 'again', existing: 'docs', repository: plainRepo, archiveName: 'other-{now}' }]);
    const ids = (JSON.parse(await configText()) as { profiles: { id: string }[] }).profiles.map((p) => p.id);
    expect(ids).toEqual(['docs', 'docs-2']);
  });

  it('archive names that overlap an existing profile on the same repository: the field error, and nothing written', async () => {
    await writeConfig(sb.configDir, { profiles: [{ id: 'mine', repository: repo, sources: [docs], archiveName: '{hostname}-{now}-x' }] });
    const before = await configText();
    const { engine } = await open();
    const dry = await applyImport(engine, result(), { dryRun: true });
    expect(dry.errors).toContainEqual(expect.objectContaining({ path: 'profiles[1].archiveName', profile: 'docs' }));
    expect(importExit(dry)).toBe(2);
    const o = await applyImport(engine, result({ secrets: [{ profile: 'docs', passphrase: PASS, at: { file: script, line: 3 } }] }));
    expect(o.saved).toBe(false);
    expect(o.errors[0]).toMatchObject({ path: 'profiles[1].archiveName', profile: 'docs' });
    expect(o.errors[0]!.message).toMatch(/overlaps the archives of profile "mine"/);
    expect(await configText()).toBe(before);
    expect(importExit(o)).toBe(2);
  });

  it('config.json changed after the engine read it: nothing written (compare-and-swap)', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { engine } = await open();
    await writeConfig(sb.configDir, { profiles: [{ id: 'edited', repository: plainRepo, sources: [docs], encryption: 'none' }] });
    const before = await configText();
    const o = await applyImport(engine, result(), { check: false });
    expect(o.saved).toBe(false);
    expect(o.conflict).toBe(true);
    expect(await configText()).toBe(before);
  });

  it('an old launchd job becomes a to-do with its bootout command', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { engine } = await open();
    const plist = '/Users/ada/Library/LaunchAgents/com.ada.borg.plist';
    const o = await applyImport(
      engine,
      result({
        oldJobs: [
          { kind: 'launchd', name: 'com.ada.borg', at: { file: plist, line: 5 }, howToStop: 'launchctl bootout gui/501 com.ada.borg' },
        ],
      }),
      { dryRun: true },
    );
    expect(o.report).toContainEqual({
      kind: 'todo',
      profile: null,
      message: 'Stop the launchd job com.ada.borg so backups do not run twice: launchctl bootout gui/501 com.ada.borg',
      at: { file: plist, line: 5 },
    });
  });
});
