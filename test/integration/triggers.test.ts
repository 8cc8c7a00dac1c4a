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

async function seedHistory(id: string, startedAt: Date): Promise<void> {
  const record: RunRecord = {
    profile: id,
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
  await fs.writeFile(path.join(sb.configDir, 'history', `${id}.jsonl`), JSON.stringify(record) + '\n');
}

function nextFinished(): Promise<RunRecord> {
  return new Promise((resolve) => engine.once('run-finished', resolve));
}

beforeEach(async () => {
  sb = await sandbox('dandelion-triggers-');
  lines.length = 0;
  const src = path.join(sb.dir, 'src');
  await makeTree(src, 5);
  const repo = path.join(sb.dir, 'repo');
  expect((await borg(sb, ['init', '--encryption=none', repo])).exitCode).toBe(0);
  return async () => {
    await triggers?.stop();
    await engine?.cancelAll();
    await sb.cleanup();
  };
});

async function open(profile: Record<string, unknown>): Promise<void> {
  await writeConfig(sb.configDir, {
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

describe('the trigger controller with the real engine and borg', () => {
  it('runs a slot missed while asleep once on resume, not once per slot and not again', async () => {
    await seedHistory('p', at(-2, 0.5));
    fakeNow = at(-2, 8); // the day before yesterday, after that day's backup: nothing due
    await open({});
    await triggers.start();
    expect(engine.isRunning('p')).toBe(false);

    fakeNow = at(-1, 8); // woke up a day later: yesterday's midnight slot was missed
    const finished = nextFinished();
    await triggers.resume();
    const record = await finished;
    expect(record).toMatchObject({ trigger: 'resume', result: 'success' });

    await triggers.resume();
    await triggers.evaluateAll('schedule');
    expect(engine.isRunning('p')).toBe(false);
    expect((await engine.history.list('p')).map((r) => r.trigger)).toEqual(['schedule', 'resume']);
  });

  it('holds a skipOnBattery profile on battery and runs it when plugged in', async () => {
    fakeNow = new Date();
    await open({ skipOnBattery: true });
    triggers.setOnBattery(true);
    await triggers.start();
    expect(engine.isRunning('p')).toBe(false);
    expect(lines.some((l) => l.includes('skipped: on battery power'))).toBe(true);
    const finished = nextFinished();
    triggers.setOnBattery(false);
    expect((await finished).result).toBe('success');
  });

  it('runs profiles that share a repository one after the other', async () => {
    fakeNow = new Date();
    await writeConfig(sb.configDir, {
      profiles: ['a', 'b'].map((id) => ({
        id,
        repository: path.join(sb.dir, 'repo'),
        encryption: 'none',
        sources: [path.join(sb.dir, 'src')],
        archiveName: `${id}-{now}`,
        schedule: '0 0 * * *',
      })),
    });
    ({ engine } = await Engine.open({ configDir: sb.configDir, secrets: new MemorySecretStore(), busy: 'wait' }));
    triggers = new TriggerController(engine, { log: (l) => lines.push(l), now: () => fakeNow, mountTable: false });
    const events: string[] = [];
    engine.on('run-started', ({ profile }) => events.push(`start ${profile}`));
    const done = new Promise<void>((resolve) => {
      let n = 0;
      engine.on('run-finished', (r) => {
        events.push(`end ${r.profile} ${r.result}`);
        if (++n === 2) resolve();
      });
    });
    await triggers.start();
    await done;
    expect(events).toEqual(['start a', 'end a success', 'start b', 'end b success']);
  });

  it('plans a retry after an automatic run lost its connection', async () => {
    fakeNow = new Date();
    await open({ repository: 'ssh://root@127.0.0.1:1/nowhere/repo' });
    const finished = nextFinished();
    await triggers.start();
    const record = await finished;
    expect(record.diagnoses[0]?.kind).toBe('connection-lost');
    await new Promise((r) => setTimeout(r, 100));
    expect(lines).toContain('[p] will retry in 5 min (failure 1 in a row)');
    // Stopping drops the plan, and the file other processes read says so by the time stop() returns.
    await triggers.stop();
    const shared = JSON.parse(await fs.readFile(path.join(sb.configDir, 'locks', 'waiting-for-volume.json'), 'utf8'));
    expect(shared.retries).toEqual({});
  });

  it('coalesces a burst of triggers into one run', async () => {
    fakeNow = new Date();
    await open({});
    const runs: string[] = [];
    engine.on('run-started', ({ trigger }) => runs.push(trigger));
    const finished = nextFinished();
    await Promise.all([triggers.evaluateAll('catch-up'), triggers.evaluateAll('resume'), triggers.evaluate('p', 'schedule')]);
    await finished;
    expect(runs).toHaveLength(1);
    expect(await engine.history.list('p')).toHaveLength(1);
  });
});
