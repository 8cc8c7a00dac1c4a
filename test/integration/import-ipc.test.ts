/**
 * The setup window's import through the contract, against a real engine and real borg: the main
 * process reads the file (from the open panel or a dropped file's path), answers the plan without
 * a passphrase, and saves only on importApply with the token it gave, against the revision shown.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore, keyringAccount } from '../../src/secrets/keyring.js';
import { createDispatcher } from '../../src/ipc/handlers.js';
import type { ImportOutcome, ImportPreview } from '../../src/ipc/contract.js';
import { fakeHost } from '../helpers/host.js';
import { ROOT, borg, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';

const SEED = path.join(ROOT, 'test/fixtures/import/apply/seed.sh');
/** The passphrase written in seed.sh. */
const PASS = 'tulip-meadow-4711';

describe('importPreview / importApply', () => {
  let sb: Sandbox;
  let repo: string;
  const savedHome = process.env.HOME;
  let picked: string | null = SEED;
  const host = fakeHost({ platform: 'darwin', pickFile: async () => picked });

  const open = async () => {
    const secrets = new MemorySecretStore();
    const { engine } = await Engine.open({ configDir: sb.configDir, secrets });
    return { engine, secrets, dispatch: createDispatcher({ engine, host }) };
  };
  const configText = () => fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8');
  const value = <T>(r: unknown): T => {
    const o = r as { ok: boolean; value: T; diagnosis?: { message: string } };
    if (!o.ok) throw new Error(o.diagnosis?.message);
    return o.value;
  };

  beforeAll(async () => {
    sb = await sandbox('dandelion-import-ipc-');
    // seed.sh says ~/backup/borg-repo and ~/Documents: this process's home is the sandbox's.
    process.env.HOME = sb.home;
    process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
    await fs.mkdir(path.join(sb.home, 'Documents'));
    await fs.writeFile(path.join(sb.home, 'Documents', 'a.txt'), 'a\n');
    repo = path.join(sb.home, 'backup', 'borg-repo');
    await fs.mkdir(path.dirname(repo), { recursive: true });
    expect((await borg(sb, ['init', '--encryption', 'repokey', repo], PASS)).exitCode).toBe(0);
  }, 60_000);

  afterAll(async () => {
    process.env.HOME = savedHome;
    delete process.env.BORG_BASE_DIR;
    await sb?.cleanup();
  });

  it('reads the file chosen in the open panel and answers the plan, without the passphrase and without writing', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const before = await configText();
    const { dispatch, secrets } = await open();
    picked = SEED;
    const raw = await dispatch('importPreview', {});
    expect(JSON.stringify(raw)).not.toContain(PASS);
    const p = value<Extract<ImportPreview, { token: string }>>(raw);
    expect(host.calls.some((c) => c.method === 'pickFile')).toBe(true);
    expect(p.file).toBe(SEED);
    expect(p.outcome).toMatchObject({ dryRun: true, saved: false });
    expect(p.outcome.profiles).toMatchObject([{ keep: '7 daily, 4 weekly', when: 'only when you start it', passphraseFound: true }]);
    expect(
      p.outcome.report.some((r) => r.kind === 'todo' && r.at?.line === 4 && /passphrase/.test(r.message) && r.message.includes('Keychain')),
    ).toBe(true);
    expect(await configText()).toBe(before);
    expect(await secrets.get(keyringAccount(repo))).toBeNull();
  });

  it('a cancelled open panel answers no token', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { dispatch } = await open();
    picked = null;
    expect(value(await dispatch('importPreview', {}))).toEqual({ token: null });
    picked = SEED;
  });

  it('Import saves, stores the passphrase in the main process, checks the repository, and the token works once', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { dispatch, secrets, engine } = await open();
    // A dropped file: its path, as the preload finds it.
    const p = value<Extract<ImportPreview, { token: string }>>(await dispatch('importPreview', { path: SEED }));
    const raw = await dispatch('importApply', { token: p.token, expectedRevision: p.revision });
    expect(JSON.stringify(raw)).not.toContain(PASS);
    const o = value<ImportOutcome>(raw);
    expect(o.saved).toBe(true);
    expect(o.profiles[0]).toMatchObject({
      passphraseStored: true,
      check: { reachable: true, passphrase: 'opens', encryption: 'repokey' },
    });
    expect(await secrets.get(keyringAccount(repo))).toBe(PASS);
    expect(engine.profile(o.profiles[0]!.id)?.archiveName).toBe('{hostname}-{now}');
    expect(await configText()).not.toContain(PASS);
    const again = (await dispatch('importApply', { token: p.token, expectedRevision: engine.configRevision() })) as { ok: boolean };
    expect(again.ok).toBe(false);
  }, 60_000);

  it('config.json changed after the preview: Import writes nothing', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { dispatch } = await open();
    const p = value<Extract<ImportPreview, { token: string }>>(await dispatch('importPreview', { path: SEED }));
    await writeConfig(sb.configDir, { profiles: [], volumesRoot: '/Volumes' });
    const before = await configText();
    const o = value<ImportOutcome>(await dispatch('importApply', { token: p.token, expectedRevision: p.revision }));
    expect(o).toMatchObject({ saved: false, conflict: true });
    expect(await configText()).toBe(before);
  });

  it('refuses a relative path, a folder, and a token it did not give', async () => {
    await writeConfig(sb.configDir, { profiles: [] });
    const { dispatch } = await open();
    const rel = (await dispatch('importPreview', { path: 'seed.sh' })) as { ok: boolean; diagnosis: { message: string } };
    expect(rel.ok).toBe(false);
    expect(rel.diagnosis.message).toMatch(/absolute path/);
    const dir = (await dispatch('importPreview', { path: sb.home })) as { ok: boolean; diagnosis: { message: string } };
    expect(dir.ok).toBe(false);
    expect(dir.diagnosis.message).toMatch(/is not a file/);
    const token = (await dispatch('importApply', { token: 'made-up', expectedRevision: 'x' })) as { ok: boolean };
    expect(token.ok).toBe(false);
  });
});
