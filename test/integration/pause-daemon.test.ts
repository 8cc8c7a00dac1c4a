/**
 * `dandelion pause` / `resume` through the built CLI, honoured by a real `dandelion daemon` process
 * that owns the schedules, with real borg: a pause ends by itself and what came due runs once.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dandelion, listArchives, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { History } from '../../src/jobs/history.js';
import { repoKey } from '../../src/paths.js';
import { freshRepository } from '../helpers/repo-template.js';

let sb: Sandbox;
let repo: string;
let daemon: DaemonProcess | null = null;

beforeEach(async () => {
  sb = await sandbox('dandelion-pause-');
  const src = path.join(sb.dir, 'src');
  await makeTree(src);
  repo = path.join(sb.dir, 'repo');
  // Every day at 00:00 and never backed up: due as soon as anything looks.
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'daily', repository: repo, encryption: 'none', sources: [src], schedule: '0 0 * * *', prune: null }],
  });
  await freshRepository(repo, 'none');
});

afterEach(async () => {
  if (daemon) await daemon.stop();
  daemon = null;
  await sb.cleanup();
});

const runs = () => new History(path.join(sb.configDir, 'history')).list('daily');
const status = async () => JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);

describe('dandelion pause and the daemon', () => {
  it('holds the catch-up while paused, ends the pause by itself and then backs up once', async () => {
    const paused = await dandelion(sb, ['pause', '--for', '5s']);
    expect(paused.exitCode, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/^Backups paused until /);
    const { until } = (await status()).paused;
    expect(Date.parse(until) - Date.now()).toBeGreaterThan(2000);

    daemon = new DaemonProcess(sb);
    await daemon.waitFor(/\[daily\] catch-up: automatic backups are paused, not starting/);
    expect(await runs()).toEqual([]);
    // The daemon's own timer ends the pause (nobody resumes it) and catches up, once.
    await daemon.waitFor(/pause ended: catching up/, { timeoutMs: 20_000 });
    await daemon.waitFor(/\[daily\] finished: success/, { timeoutMs: 60_000 });
    const after = await runs();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ trigger: 'catch-up', result: 'success' });
    expect(Date.parse(after[0]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(until));
    expect(daemon.count(/starting backup/)).toBe(1);
    // The ended pause is gone for every process.
    expect((await status()).paused).toBeNull();
    await expect(fs.access(path.join(sb.configDir, 'locks', 'pause.json'))).rejects.toThrow();
    expect(await listArchives(sb, repo)).toHaveLength(1);
  });

  it('resume from the CLI lets the daemon catch up at once', async () => {
    expect((await dandelion(sb, ['pause'])).stdout).toMatch(/^Backups paused until you resume them/);
    daemon = new DaemonProcess(sb);
    await daemon.waitFor(/\[daily\] catch-up: automatic backups are paused, not starting/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runs()).toEqual([]);
    const mark = daemon.mark;
    const resumed = await dandelion(sb, ['resume']);
    expect(resumed.stdout).toMatch(/^Backups resumed/);
    await daemon.waitFor(/\[daily\] catch-up: starting backup/, { from: mark, timeoutMs: 20_000 });
    await daemon.waitFor(/\[daily\] finished: success/, { from: mark, timeoutMs: 60_000 });
    expect(daemon.count(/starting backup/)).toBe(1);
  });

  it('dandelion run still backs up while paused and leaves the pause in force', async () => {
    await dandelion(sb, ['pause']);
    const run = await dandelion(sb, ['run', 'daily']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/Backups paused|resume/i);
    expect(await listArchives(sb, repo)).toHaveLength(1);
    expect((await status()).paused).toMatchObject({ until: null });
    const text = (await dandelion(sb, ['status'])).stdout;
    expect(text).toMatch(/^Backups paused until you resume them/m);
    expect(text).not.toContain('OVERDUE');
  });

  it('pause options: --until-tomorrow is local midnight, a bad length or both options are refused, resume says what it did', async () => {
    const t = await dandelion(sb, ['pause', '--until-tomorrow']);
    expect(t.exitCode, t.stderr).toBe(0);
    const now = new Date();
    const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    expect(Date.parse((await status()).paused.until)).toBe(midnight.getTime());

    const bad = await dandelion(sb, ['pause', '--for', 'soon']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--for needs a length such as 30m, 1h or 2d, not "soon"');
    const both = await dandelion(sb, ['pause', '--for', '1h', '--until-tomorrow']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('Choose one: --for or --until-tomorrow.');
    // The refused commands left the pause as it was.
    expect(Date.parse((await status()).paused.until)).toBe(midnight.getTime());

    expect((await dandelion(sb, ['resume'])).stdout).toMatch(/^Backups resumed/);
    expect((await status()).paused).toBeNull();
    expect((await dandelion(sb, ['resume'])).stdout).toMatch(/^Backups were not paused/);
  });

  it('a stop request left for an earlier run never stops the next one, and is cleared', async () => {
    const request = path.join(sb.configDir, 'locks', `stop-${repoKey(repo)}.json`);
    await fs.mkdir(path.dirname(request), { recursive: true });
    const stale = { profile: 'daily', pid: 1, since: '2026-01-01T00:00:00.000Z', how: 'cancel', by: 2, at: '2026-01-01T00:00:01.000Z' };
    await fs.writeFile(request, JSON.stringify(stale));
    const run = await dandelion(sb, ['run', 'daily']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^success/m);
    await expect(fs.access(request)).rejects.toThrow();
  });
});
