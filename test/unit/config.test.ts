import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/profiles/schema.js';
import { cronError } from '../../src/schedule/cron.js';
import { loadConfig, saveConfig, ConfigError } from '../../src/profiles/store.js';
import { defaultConfigDir } from '../../src/paths.js';

const seed = {
  volumesRoot: '/Volumes',
  profiles: [
    {
      id: 'offsite',
      name: 'Storage box',
      repository: 'ssh://u123@u123.your-storagebox.de:23/./backup/mbp2015',
      sshKey: '~/.ssh/storagebox_key',
      encryption: 'repokey-blake2' as const,
      sources: ['~/Documents', '~/Pictures'],
      excludes: ['*/node_modules', '*/.Trash'],
      archiveName: '{hostname}-daily-{now}',
      compression: 'auto,lzma,6',
      prune: { keepDaily: 7, keepWeekly: 5, keepMonthly: 6 },
      schedule: '0 12 * * *',
      volume: null,
      minIntervalHours: 24,
    },
  ],
};

describe('config.json', () => {
  it('accepts the example from the design and fills defaults', () => {
    const r = parseConfig(seed);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.profiles[0]).toMatchObject({ oneFileSystem: false, skipOnBattery: false, minIntervalHours: 24 });
    const minimal = parseConfig({ profiles: [{ id: 'a', repository: '/r', encryption: 'none', sources: ['/s'] }] });
    expect(minimal.ok && minimal.config.profiles[0]).toMatchObject({
      archiveName: '{hostname}-daily-{now}',
      compression: 'lz4',
      excludes: [],
    });
  });

  it('names the field of each problem', () => {
    const bad = structuredClone(seed) as { profiles: Record<string, unknown>[] };
    bad.profiles.push({ ...bad.profiles[0], id: 'Bad Id', schedule: 'every day', encryption: 'rot13', sources: [], colour: 'red' });
    bad.profiles.push({ ...bad.profiles[0] });
    const r = parseConfig(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.errors.map((e) => `${e.path}: ${e.message}`);
    expect(text).toContain(`profiles[1].schedule: ${cronError('every day')}`);
    expect(text).toContain('profiles[1].id: use lower-case letters, digits and dashes');
    expect(text.some((t) => t.startsWith('profiles[1].encryption: must be one of none'))).toBe(true);
    expect(text).toContain('profiles[1].sources: needs at least one folder to back up');
    expect(text).toContain('profiles[1]: unknown field(s) colour');
    expect(text).toContain('profiles[2].id: duplicate id "offsite" (also profiles[0])');
  });

  it('rejects prune rules that keep nothing', () => {
    const r = parseConfig({ profiles: [{ id: 'a', repository: '/r', encryption: 'none', sources: ['/s'], prune: {} }] });
    expect(r.ok).toBe(false);
  });

  it('reports a broken file and leaves it byte for byte', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-cfg-'));
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, '{ "profiles": [ { "id": ');
    const r = await loadConfig(file);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/not valid JSON/);
    expect(await fs.readFile(file, 'utf8')).toBe('{ "profiles": [ { "id": ');
    await expect(
      saveConfig(file, { profiles: [{ id: 'X', repository: '/r', encryption: 'none', sources: ['/s'] }] }),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(await fs.readFile(file, 'utf8')).toBe('{ "profiles": [ { "id": ');
    await saveConfig(file, seed);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(seed);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await fs.rm(dir, { recursive: true });
  });

  it('treats a missing file as an empty config', async () => {
    const r = await loadConfig('/nonexistent/dandelion/config.json');
    expect(r).toMatchObject({ ok: true, exists: false, config: { profiles: [] } });
  });

  it('puts the config where Electron userData is', () => {
    expect(defaultConfigDir({ DANDELION_CONFIG_DIR: '/x/y' }, 'linux')).toBe('/x/y');
    expect(defaultConfigDir({}, 'darwin')).toBe(path.join(os.homedir(), 'Library/Application Support/Dandelion'));
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe('/xdg/Dandelion');
    expect(defaultConfigDir({}, 'linux')).toBe(path.join(os.homedir(), '.config/Dandelion'));
  });
});
