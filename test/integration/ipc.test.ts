/**
 * The dispatcher behind every window call, against a real engine: config saves that write nothing
 * when invalid, saving over a hand-broken config.json only when confirmed (with a .bak), the
 * schedule preview from the engine's own code, and a passphrase that never comes back.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { createDispatcher, rememberLogin } from '../../src/ipc/handlers.js';
import { configRevision } from '../../src/profiles/store.js';
import { fakeHost } from '../helpers/host.js';
import { CALLS } from '../../src/ipc/names.js';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';

const PASS = 'a passphrase that must never come back';
let sb: Sandbox;
let engine: Engine;

const host = fakeHost({ platform: 'linux', login: () => ({ openAtLogin: false, status: 'unknown' }) });

beforeEach(async () => {
  sb = await sandbox('dandelion-ipc-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  await makeTree(path.join(sb.dir, 'src'), 5);
});

afterEach(async () => {
  await engine?.cancelAll();
  await sb.cleanup();
});

async function open(config: unknown | string) {
  if (typeof config === 'string') await fs.writeFile(path.join(sb.configDir, 'config.json'), config);
  else await writeConfig(sb.configDir, config);
  ({ engine } = await Engine.open({ configDir: sb.configDir, secrets: new MemorySecretStore() }));
  return createDispatcher({ engine, host });
}

const good = () => ({
  profiles: [{ id: 'docs', repository: path.join(sb.dir, 'repo'), encryption: 'repokey-blake2', sources: [path.join(sb.dir, 'src')] }],
});

describe('config save through the contract', () => {
  it('writes nothing when anything is invalid, and says where', async () => {
    const dispatch = await open(good());
    const file = path.join(sb.configDir, 'config.json');
    const before = await fs.readFile(file);
    const bad = { profiles: [{ ...good().profiles[0], sources: [], schedule: 'every day', repository: 'ssh://u@h:70000/r' }] };
    const { revision } = ((await dispatch('configRead', {})) as { ok: true; value: { revision: string } }).value;
    const r = (await dispatch('configSave', { config: bad, expectedRevision: revision })) as {
      ok: true;
      value: { saved: boolean; errors: { path: string }[] };
    };
    expect(r.ok).toBe(true);
    expect(r.value.saved).toBe(false);
    expect(r.value.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['profiles[0].sources', 'profiles[0].schedule', 'profiles[0].repository']),
    );
    expect(Buffer.compare(await fs.readFile(file), before)).toBe(0);
  });

  it('saves over a hand-broken config.json only when confirmed, keeping a .bak of it', async () => {
    const broken = '{ "profiles": [ { "id": "docs", } ] }';
    const dispatch = await open(broken);
    const view = (await dispatch('configRead', {})) as { ok: true; value: { errors: unknown[]; raw: string; revision: string } };
    const expectedRevision = view.value.revision;
    expect(view.value.errors.length).toBeGreaterThan(0);
    expect(view.value.raw).toBe(broken);
    const first = (await dispatch('configSave', { config: good(), expectedRevision })) as {
      ok: true;
      value: { saved: boolean; needsConfirmation?: boolean };
    };
    expect(first.value).toMatchObject({ saved: false, needsConfirmation: true });
    expect(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).toBe(broken);
    const second = (await dispatch('configSave', { config: good(), expectedRevision, overwriteInvalid: true })) as {
      ok: true;
      value: { saved: boolean };
    };
    expect(second.value.saved).toBe(true);
    expect(await fs.readFile(path.join(sb.configDir, 'config.json.bak'), 'utf8')).toBe(broken);
    expect(engine.config.profiles.map((p) => p.id)).toEqual(['docs']);
  });

  it('refuses a save drawn from a revision that is no longer on disk, and answers with the file as it is now', async () => {
    const dispatch = await open(good());
    const file = path.join(sb.configDir, 'config.json');
    type Saved = { ok: true; value: { saved: boolean; revision?: string; conflict?: { revision: string; config: unknown } } };
    const { revision } = ((await dispatch('configRead', {})) as { ok: true; value: { revision: string } }).value;
    const theirs = { profiles: [{ ...good().profiles[0], name: 'Edited by hand' }] };
    await fs.writeFile(file, JSON.stringify(theirs, null, 2));
    const handEdited = await fs.readFile(file);
    const mine = { profiles: [{ ...good().profiles[0], name: 'Mine' }] };
    const stale = (await dispatch('configSave', { config: mine, expectedRevision: revision })) as Saved;
    expect(stale.value.saved).toBe(false);
    expect(stale.value.conflict).toEqual({ revision: configRevision(handEdited), config: theirs });
    expect(Buffer.compare(await fs.readFile(file), handEdited)).toBe(0);
    // Without a revision the window's call is not even accepted.
    expect(await dispatch('configSave', { config: mine })).toMatchObject({ ok: false });
    // Against the revision it was shown, the same save goes through.
    const deliberate = (await dispatch('configSave', { config: mine, expectedRevision: stale.value.conflict!.revision })) as Saved;
    expect(deliberate.value.saved).toBe(true);
    expect(deliberate.value.revision).toBe(configRevision(await fs.readFile(file)));
    expect(engine.configRevision()).toBe(deliberate.value.revision);
    expect((await engine.snapshot()).configRevision).toBe(deliberate.value.revision);
  });

  it('remembers Open at Login in the file as it is now, keeping a hand edit made since the engine read it', async () => {
    await open(good());
    const file = path.join(sb.configDir, 'config.json');
    await fs.writeFile(file, JSON.stringify({ profiles: [{ ...good().profiles[0], name: 'Edited by hand' }] }));
    await rememberLogin(engine, false);
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as { app: { openAtLogin: boolean }; profiles: { name: string }[] };
    expect(json.app.openAtLogin).toBe(false);
    expect(json.profiles[0]!.name).toBe('Edited by hand');
  });
  it('a save drawn from the file before Open at Login was written goes into that file, keeping it; a hand edit in between still stops it', async () => {
    const dispatch = await open(good());
    const file = path.join(sb.configDir, 'config.json');
    type Saved = { ok: true; value: { saved: boolean; conflict?: { revision: string } } };
    const read = async () => ((await dispatch('configRead', {})) as { ok: true; value: { revision: string } }).value.revision;
    const mine = (name: string) => ({ profiles: [{ ...good().profiles[0], name }] });

    // The form: drawn from the file, then Open at Login written (twice) before Save.
    let drawnFrom = await read();
    await rememberLogin(engine, true);
    await rememberLogin(engine, false);
    await rememberLogin(engine, true);
    const form = (await dispatch('configSave', { config: mine('Mine'), expectedRevision: drawnFrom })) as Saved;
    expect(form.value.saved).toBe(true);
    let json = JSON.parse(await fs.readFile(file, 'utf8')) as { app?: { openAtLogin?: boolean }; profiles: { name: string }[] };
    expect(json).toMatchObject({ app: { openAtLogin: true }, profiles: [{ name: 'Mine' }] });

    // The text editor, the same.
    drawnFrom = await read();
    await rememberLogin(engine, false);
    const text = `${JSON.stringify({ ...mine('Typed'), app: { openAtLogin: true } }, null, 2)}\n`;
    const typed = (await dispatch('configSaveText', { text, expectedRevision: drawnFrom })) as Saved;
    expect(typed.value.saved).toBe(true);
    json = JSON.parse(await fs.readFile(file, 'utf8')) as typeof json;
    expect(json).toMatchObject({ app: { openAtLogin: false }, profiles: [{ name: 'Typed' }] });

    // A hand edit between the read and the Open at Login write is somebody else's: the save is refused.
    drawnFrom = await read();
    await fs.writeFile(file, JSON.stringify({ ...mine('By hand'), app: { openAtLogin: false } }));
    await rememberLogin(engine, true);
    const stale = (await dispatch('configSave', { config: mine('Mine again'), expectedRevision: drawnFrom })) as Saved;
    expect(stale.value.saved).toBe(false);
    expect(stale.value.conflict?.revision).toBe(configRevision(await fs.readFile(file)));
    json = JSON.parse(await fs.readFile(file, 'utf8')) as typeof json;
    expect(json).toMatchObject({ app: { openAtLogin: true }, profiles: [{ name: 'By hand' }] });
  });
});

describe('config.json saved as text', () => {
  it('writes nothing while the text is not valid, names the line and column, then saves the fixed text', async () => {
    const broken = '{ "profiles": [ { "id": "docs", } ] }';
    const dispatch = await open(broken);
    const file = path.join(sb.configDir, 'config.json');
    const view = (await dispatch('configRead', {})) as {
      ok: true;
      value: {
        inUse: string;
        lastGood: unknown[];
        recovery: { syntax: { line: number; column: number } | null; lost: { id: string }[] };
        revision: string;
      };
    };
    const expectedRevision = view.value.revision;
    expect(view.value).toMatchObject({ inUse: 'none', lastGood: [], recovery: { syntax: { line: 1, column: 31 } } });
    expect(view.value.recovery.lost.map((p) => p.id)).toEqual(['docs']);
    const still = (await dispatch('configSaveText', { text: '{\n  "profiles": [\n    1,\n  ]\n}', expectedRevision })) as {
      ok: true;
      value: { saved: boolean; errors: { path: string; message: string; line?: number; column?: number }[] };
    };
    expect(still.value).toEqual({
      saved: false,
      errors: [
        { path: '(file)', message: 'line 3, column 6: a comma before ] (JSON allows none after the last item)', line: 3, column: 6 },
      ],
    });
    const invalid = (await dispatch('configSaveText', { text: JSON.stringify({ profiles: [{ id: 'docs' }] }), expectedRevision })) as {
      ok: true;
      value: { saved: boolean; errors: { path: string; line?: number; column?: number }[] };
    };
    expect(invalid.value.saved).toBe(false);
    // A setting that is missing is shown at the profile it belongs in.
    expect(invalid.value.errors).toContainEqual(expect.objectContaining({ path: 'profiles[0].repository', line: 1, column: 14 }));
    expect(await fs.readFile(file, 'utf8')).toBe(broken);
    // Text drawn from an older revision of the file is never written over it.
    const stale = (await dispatch('configSaveText', { text: JSON.stringify(good()), expectedRevision: '0123456789abcdef' })) as {
      ok: true;
      value: { saved: boolean; conflict?: { revision: string } };
    };
    expect(stale.value).toMatchObject({ saved: false, conflict: { revision: expectedRevision } });
    expect(await fs.readFile(file, 'utf8')).toBe(broken);
    const fixed = (await dispatch('configSaveText', { text: `\ufeff${JSON.stringify(good())}`, expectedRevision })) as {
      ok: true;
      value: { saved: boolean };
    };
    expect(fixed.value.saved).toBe(true);
    expect(engine.configFileErrors()).toEqual([]);
    expect(engine.config.profiles.map((p) => p.id)).toEqual(['docs']);
    expect(await fs.readFile(`${file}.bak`, 'utf8')).toBe(broken);
    const after = (await dispatch('configRead', {})) as { ok: true; value: { inUse: string; recovery: unknown } };
    expect(after.value).toMatchObject({ inUse: 'file', recovery: null });
  });

  it('says the last good settings are in use after a valid start, and opens the file through the host', async () => {
    const dispatch = await open(good());
    await fs.writeFile(path.join(sb.configDir, 'config.json'), '{');
    await engine.reload();
    const view = (await dispatch('configRead', {})) as { ok: true; value: { inUse: string; lastGood: unknown[] } };
    expect(view.value).toMatchObject({ inUse: 'last-good', lastGood: [{ id: 'docs', name: null }] });
    const opened = (await dispatch('openConfigFile', {})) as { ok: true; value: { opened: boolean } };
    expect(opened.value.opened).toBe(true);
    expect(host.calls).toContainEqual({ method: 'openPath', args: [path.join(sb.configDir, 'config.json')] });
    const tooBig = await dispatch('configSaveText', { text: 'x'.repeat(1_000_001), expectedRevision: 'absent' });
    expect(tooBig.ok).toBe(false);
  });
});

describe('other calls', () => {
  it('previews the next runs with the engine’s own schedule code, and explains a bad cron', async () => {
    const dispatch = await open(good());
    const r = (await dispatch('previewSchedule', { schedule: '0 12 * * *', count: 3 })) as { ok: true; value: { next: string[] } };
    expect(r.value.next).toHaveLength(3);
    const times = r.value.next.map((t) => new Date(t));
    for (const t of times) expect(t.getMinutes()).toBe(0);
    expect(times[1]!.getTime() - times[0]!.getTime()).toBe(24 * 3600_000);
    const bad = (await dispatch('previewSchedule', { schedule: 'sometimes' })) as { ok: true; value: { error: string } };
    expect(bad.value.error).toMatch(/expected 5 fields \(minute hour day month weekday\), got 1/);
  });

  it('tells a window what is in a local folder before the profile is saved', async () => {
    const dispatch = await open(good());
    const folder = async (repository: string) =>
      ((await dispatch('doctor', { draft: { repository } })) as { ok: true; value: { folder?: string; ok: boolean }[] }).value[0];
    const empty = path.join(sb.dir, 'empty');
    await fs.mkdir(empty);
    const other = path.join(sb.dir, 'src');
    const repoDir = path.join(sb.dir, 'existing');
    await fs.mkdir(repoDir);
    await fs.writeFile(path.join(repoDir, 'config'), '[repository]\nversion = 1\n');
    expect(await folder(empty)).toMatchObject({ ok: true, folder: 'empty' });
    expect(await folder(repoDir)).toMatchObject({ ok: true, folder: 'repository' });
    expect(await folder(other)).toMatchObject({ ok: false, folder: 'other-files' });
    expect(await folder(path.join(sb.dir, 'new'))).toMatchObject({ ok: true, folder: 'absent' });
    expect(await folder(path.join(sb.dir, 'no', 'such', 'disk'))).toMatchObject({ ok: false, folder: 'parent-missing' });
  });

  it('never returns the passphrase from any call', async () => {
    const dispatch = await open(good());
    await fs.mkdir(path.join(sb.dir, 'repo'));
    const saved = await dispatch('setPassphrase', { profile: 'docs', passphrase: PASS });
    expect(saved.ok).toBe(true);
    const answers: unknown[] = [saved];
    for (const name of CALLS) {
      if (['runNow', 'openWindow', 'setLoginItem', 'configSave', 'trustHostKey', 'hostKey', 'setPassphrase'].includes(name)) continue;
      answers.push(
        await dispatch(
          name,
          [
            'status',
            'configRead',
            'doctor',
            'openFdaSettings',
            'openLoginSettings',
            'loginItem',
            'ready',
            'pickFolder',
            'pickFile',
          ].includes(name)
            ? {}
            : name === 'previewSchedule'
              ? { schedule: '@daily' }
              : name === 'volumeOf'
                ? { path: '/' }
                : { profile: 'docs' },
        ),
      );
    }
    expect(JSON.stringify(answers)).not.toContain(PASS);
    // Unknown names and bad arguments come back as data.
    expect(await dispatch('eval', {})).toMatchObject({ ok: false, diagnosis: { kind: 'invalid-request' } });
    expect(await dispatch('logTail', { profile: 'docs', lines: -1 })).toMatchObject({ ok: false, diagnosis: { kind: 'invalid-request' } });
  });
});
