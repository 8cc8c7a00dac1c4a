/**
 * A save replaces config.json by a rename; the new file must not quietly change who may read it.
 * The user's mode is kept (a 0644 file they made stays 0644, whatever the umask), a new file is
 * created 0600, and loading never writes. (An integration test only because it sets the umask,
 * which the worker threads of a mutation run cannot.)
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFileMode, loadConfig, saveConfig } from '../../src/profiles/store.js';

let dir: string;
let file: string;
const mode = async () => (await fs.stat(file)).mode & 0o777;
const config = { profiles: [{ id: 'docs', repository: '/srv/backup/docs', encryption: 'none', sources: ['/home/me/Documents'] }] };

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-mode-'));
  file = path.join(dir, 'config.json');
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('the mode of config.json', () => {
  for (const m of [0o644, 0o640, 0o600, 0o664]) {
    it(`stays ${m.toString(8)} through a save`, async () => {
      await fs.writeFile(file, '{ "profiles": [] }');
      await fs.chmod(file, m);
      const r = await saveConfig(file, config);
      expect(r.ok).toBe(true);
      expect(JSON.parse(await fs.readFile(file, 'utf8')).profiles[0].id).toBe('docs');
      expect(await mode()).toBe(m);
    });
  }

  it('is kept exactly even under a strict umask (the new file is not narrowed by it)', async () => {
    await fs.writeFile(file, '{ "profiles": [] }');
    await fs.chmod(file, 0o644);
    const old = process.umask(0o077);
    try {
      expect((await saveConfig(file, config)).ok).toBe(true);
    } finally {
      process.umask(old);
    }
    expect(await mode()).toBe(0o644);
  });

  it('is 0600 for a file the save creates, even under a loose umask', async () => {
    const old = process.umask(0o000);
    try {
      expect((await saveConfig(file, config)).ok).toBe(true);
    } finally {
      process.umask(old);
    }
    expect(await mode()).toBe(0o600);
    expect(await configFileMode(path.join(dir, 'absent.json'))).toBe(0o600);
  });

  it('is not touched by a refused save (compare-and-swap) nor by loading', async () => {
    await fs.writeFile(file, '{ "profiles": [] }');
    await fs.chmod(file, 0o644);
    const refused = await saveConfig(file, config, undefined, { expectedRevision: 'not-this-one' });
    expect(refused.ok).toBe(false);
    expect(await loadConfig(file)).toMatchObject({ ok: true });
    expect(await fs.readFile(file, 'utf8')).toBe('{ "profiles": [] }');
    expect(await mode()).toBe(0o644);
  });
});
