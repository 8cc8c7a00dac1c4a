import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The Electron binary cannot run here: the main process is tested against a recording fake of `electron`.
vi.mock('electron', () => import('../fakes/electron/index.js'));
const fakeElectron = await import('../fakes/electron/index.js');
const powerMonitor = fakeElectron.powerMonitor as unknown as EventEmitter;

const { startShell } = await import('../../electron/main.js');
const { TriggerController } = await import('../../src/triggers/controller.js');
const { defaultConfigDir } = await import('../../src/paths.js');
const { electronUserData } = await import('../../src/app/dirs.js');

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-shell-'));
  fakeElectron.fake.reset();
  fakeElectron.powerMonitor.onBattery = true;
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ profiles: [] }));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('one config folder for the app and the CLI', () => {
  it("resolves the same folder for both faces on darwin and linux, and keeps Chromium's files out of it", () => {
    const home = os.homedir();
    for (const [platform, appData, expected] of [
      ['darwin', path.join(home, 'Library', 'Application Support'), path.join(home, 'Library', 'Application Support', 'Dandelion')],
      ['linux', path.join(home, '.config'), path.join(home, '.config', 'Dandelion')],
    ] as const) {
      // The CLI and the app both call defaultConfigDir; the app no longer uses Electron's userData for it.
      const config = defaultConfigDir({}, platform);
      expect(config).toBe(expected);
      expect(defaultConfigDir({ DANDELION_CONFIG_DIR: '/tmp/x' }, platform)).toBe('/tmp/x');
      const userData = electronUserData(appData);
      // Not the same folder, nor one inside the other, even on a case-insensitive disk.
      const a = config.toLowerCase();
      const b = userData.toLowerCase();
      expect(a === b || a.startsWith(b + path.sep) || b.startsWith(a + path.sep)).toBe(false);
      expect(path.dirname(userData)).toBe(appData);
    }
  });
});

describe('the Electron main process glue', () => {
  it('feeds powerMonitor into the trigger controller it owns', async () => {
    const resume = vi.spyOn(TriggerController.prototype, 'resume').mockResolvedValue();
    const suspend = vi.spyOn(TriggerController.prototype, 'suspend');
    const battery = vi.spyOn(TriggerController.prototype, 'setOnBattery');
    const shell = await startShell(() => {}, dir);
    expect(shell.supervisor.role).toBe('owner');
    expect(shell.supervisor.engine.paths.dir).toBe(dir);
    expect(battery).toHaveBeenLastCalledWith(true);
    powerMonitor.emit('suspend');
    powerMonitor.emit('resume');
    powerMonitor.emit('on-ac');
    expect(suspend).toHaveBeenCalledTimes(1);
    expect(resume).toHaveBeenCalledTimes(1);
    expect(battery).toHaveBeenLastCalledWith(false);
    powerMonitor.emit('on-battery');
    expect(battery).toHaveBeenLastCalledWith(true);
    await shell.dispose();
    // Disposed: power events no longer reach a controller.
    const calls = battery.mock.calls.length;
    powerMonitor.emit('on-ac');
    expect(battery.mock.calls.length).toBe(calls);
  });

  it('follows another owner of the schedules, and takes them over when it goes away', async () => {
    const first = await startShell(() => {}, dir);
    const lines: string[] = [];
    const second = await startShell((l) => lines.push(l), dir);
    expect(second.supervisor.role).toBe('follower');
    expect(lines.join('\n')).toMatch(/backups are scheduled by pid \d+/);
    await first.dispose();
    const t0 = Date.now();
    while (second.supervisor.role !== 'owner' && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(second.supervisor.role).toBe('owner');
    expect(lines.join('\n')).toMatch(/took over the schedules/);
    await second.dispose();
  });

  it('reloads config.json when it is edited, as the daemon does, and keeps the last valid one on a bad edit', async () => {
    const lines: string[] = [];
    const shell = await startShell((l) => lines.push(l), dir);
    const { engine } = shell.supervisor;
    const profile = { id: 'docs', repository: path.join(dir, 'repo'), encryption: 'none', sources: [path.join(dir, 'docs')] };
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ profiles: [profile] }));
    const until = async (ok: () => boolean) => {
      const t0 = Date.now();
      while (!ok() && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    };
    await until(() => engine.config.profiles.length === 1);
    expect(engine.config.profiles.map((p) => p.id)).toEqual(['docs']);
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ profiles: [{ ...profile, schedule: 'whenever' }] }));
    await until(() => lines.some((l) => l.includes('config change not applied')));
    expect((await engine.snapshot()).configErrors[0]?.path).toBe('profiles[0].schedule');
    expect(engine.config.profiles[0]!.schedule).toBeUndefined();
    await shell.dispose();
  });
});
