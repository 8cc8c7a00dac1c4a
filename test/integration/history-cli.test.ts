/**
 * `dandelion history`: what was done to a profile's repository, newest first, each entry marked by
 * kind (backup, restore, check, drill), through the built CLI after real borg did each of them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dandelion, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { History } from '../../src/jobs/history.js';

let sb: Sandbox;
let repo: string;

beforeAll(async () => {
  sb = await sandbox('dandelion-history-cli-');
  const src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 5);
  await writeConfig(sb.configDir, { profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [src] }] });
  const dest = path.join(sb.dir, 'restored');
  await fs.mkdir(dest);
  for (const args of [
    ['init', 'p'],
    ['run', 'p'],
    ['check', 'p'],
    ['drill', 'p'],
    ['restore', 'p', '--to', dest],
  ]) {
    const r = await dandelion(sb, args);
    expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  // A trigger that decided not to run: no entry.
  await new History(path.join(sb.configDir, 'history')).append({
    profile: 'p',
    trigger: 'volume',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    result: 'skipped',
    archive: null,
    stats: null,
    message: 'backed up 1 minute ago',
    diagnoses: [],
    log: null,
    repository: repo,
  });
}, 120_000);

afterAll(() => sb.cleanup());

describe('dandelion history', () => {
  it('lists restores, checks and drills beside backups, newest first, each marked by kind, in local time', async () => {
    const r = await dandelion(sb, ['history', 'p']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    // One column for the kind, after the time in the locale's words ("Today at 21:52", "Today at 9:52 PM").
    const col = lines[0]!.indexOf('  restore') + 2;
    expect(lines.map((l) => l.slice(col, col + 7).trim())).toEqual(['restore', 'drill', 'check', 'backup']);
    expect(lines[0]).toMatch(/^Today at \d{1,2}:\d\d( [AP]M)?\s+restore\s+Restored 5 files from \S+$/);
    expect(lines[1]).toMatch(/drill\s+Restore drill compared 5 files$/);
    expect(lines[2]).toMatch(/check\s+Check found no damage$/);
    expect(lines[3]).toMatch(/backup\s+Backup saved 5 files$/);
  });

  it('answers JSON for scripts, with the kind, the result and when each ended', async () => {
    const r = await dandelion(sb, ['history', 'p', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      profile: string;
      repository: string;
      entries: { kind: string; result: string; at: string; text: string }[];
    };
    expect(j.profile).toBe('p');
    expect(j.repository).toBe(repo);
    expect(j.entries.map((e) => [e.kind, e.result])).toEqual([
      ['restore', 'success'],
      ['drill', 'success'],
      ['check', 'success'],
      ['backup', 'success'],
    ]);
    expect(Number.isNaN(Date.parse(j.entries[0]!.at))).toBe(false);
  });

  it('keeps to --lines, and refuses a count that is not one', async () => {
    const r = await dandelion(sb, ['history', 'p', '--lines', '2', '--json']);
    expect((JSON.parse(r.stdout) as { entries: { kind: string }[] }).entries.map((e) => e.kind)).toEqual(['restore', 'drill']);
    const bad = await dandelion(sb, ['history', 'p', '--lines', 'many']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--lines takes a whole number from 1 to 10000, not "many"');
  });
});
