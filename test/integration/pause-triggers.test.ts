/**
 * The trigger controller with the real engine and borg, its clock an input: a pause holds slots and
 * resume-from-sleep, its end is noticed however the clock moved, and what came due runs once.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { TriggerController } from '../../src/triggers/controller.js';
import type { RunRecord } from '../../src/records.js';
import { borg, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';

let sb: Sandbox;
let engine: Engine;
let triggers: TriggerController;
let fakeNow: Date;
const lines: string[] = [];

const DAY = 86_400_000;
const today0 = new Date();
today0.setHours(0, 0, 0, 0);
const at = (dayOffset: number, hours: number) => new Date(today0.getTime() + dayOffset * DAY + hours * 3_600_000);

beforeEach(async () => {
  sb = await sandbox('dandelion-pause-triggers-');
  lines.length = 0;
  await makeTree(path.join(sb.dir, 'src'), 5);
  expect((await borg(sb, ['init', '--encryption=none', path.join(sb.dir, 'repo')])).exitCode).toBe(0);
  return async () => {
    await triggers?.stop();
    await engine?.cancelAll();
    await sb.cleanup();
  };
});

async function open(profile: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Promise<void> {
  await writeConfig(sb.configDir, {
    ...top,
    profiles: [
      {
        id: 'p',
        repository: path.join(sb.dir, 'repo'),
        encryption: 'none',
        sources: [path.join(sb.dir, 'src')],
        schedule: '0 0 * * *',
        ...profile,
      },
    ],
  });
  ({ engine } = await Engine.open({ configDir: sb.configDir, secrets: new MemorySecretStore(), busy: 'wait' }));
  triggers = new TriggerController(engine, { log: (l) => lines.push(l), now: () => fakeNow, mountTable: false });
}

async function seedSuccess(startedAt: Date): Promise<void> {
  const record: RunRecord = {
    profile: 'p',
    trigger: 'schedule',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + 60_000).toISOString(),
    result: 'success',
    archive: 'seeded',
    stats: null,
    message: null,
    diagnoses: [],
    log: null,
  };
  await fs.mkdir(path.join(sb.configDir, 'history'), { recursive: true });
  await fs.writeFile(path.join(sb.configDir, 'history', 'p.jsonl'), JSON.stringify(record) + '\n');
}

async function writePause(since: Date, until: Date | null): Promise<void> {
  await fs.mkdir(path.join(sb.configDir, 'locks'), { recursive: true });
  await fs.writeFile(
    path.join(sb.configDir, 'locks', 'pause.json'),
    JSON.stringify({ since: since.toISOString(), until: until ? until.toISOString() : null }),
  );
}

describe('a pause and the trigger controller', () => {
  it('holds a slot missed while asleep; once the clock is past the pause, one catch-up and the file is gone', async () => {
    await seedSuccess(at(-2, 0.5));
    fakeNow = at(-1, 8); // yesterday's midnight slot has passed since that backup
    await writePause(at(-1, 7), at(-1, 12));
    await open();
    await triggers.start();
    await triggers.resume();
    await triggers.evaluateAll('schedule');
    expect(engine.isRunning('p')).toBe(false);
    expect(lines.filter((l) => l.includes('automatic backups are paused, not starting')).length).toBeGreaterThanOrEqual(3);

    // Asleep past the pause's end (today's midnight slot passed too): noticed on waking, once.
    fakeNow = at(0, 8);
    const finished = new Promise<RunRecord>((resolve) => engine.once('run-finished', resolve));
    await triggers.checkPause();
    await triggers.resume();
    expect(await finished).toMatchObject({ trigger: 'catch-up', result: 'success' });
    await triggers.evaluateAll('schedule');
    expect(engine.isRunning('p')).toBe(false);
    expect((await engine.history.list('p')).map((r) => r.trigger)).toEqual(['schedule', 'catch-up']);
    expect(lines.filter((l) => l.includes('pause ended'))).toHaveLength(1);
    await expect(fs.access(path.join(sb.configDir, 'locks', 'pause.json'))).rejects.toThrow();
  });

  it('says no profile waits for its disk while paused, and waits again when the pause ends', async () => {
    const volumes = path.join(sb.dir, 'volumes');
    await fs.mkdir(volumes);
    fakeNow = new Date();
    await open({ volume: 'backup-disk', repository: path.join(volumes, 'backup-disk', 'repo') }, { volumesRoot: volumes });
    await triggers.start();
    expect(engine.isWaitingForVolume('p')).toBe(true);
    await engine.pause({ for: 'ever' });
    await triggers.checkPause();
    expect(engine.isWaitingForVolume('p')).toBe(false);
    expect((await engine.status()).profiles[0]!.state).toBe('idle');
    await engine.resume();
    await triggers.checkPause();
    expect(engine.isWaitingForVolume('p')).toBe(true);
  });
});
