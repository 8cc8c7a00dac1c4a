/**
 * Round trip with real borg: a repository borgmatic has been filling (its default archive names, a
 * prune of keep_daily), imported from the borgmatic YAML and run by the built CLI. The new archive
 * lands in the same repository under the same name pattern, and the prune that follows acts on the
 * old archives by the same rules borgmatic used, leaving archives borgmatic did not make alone.
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineContext } from '../../src/import/context.js';
import { readBorgmatic } from '../../src/import/borgmatic.js';
import { parseConfig } from '../../src/profiles/schema.js';
import { borg, dandelion, listArchives, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';

const hostname = os.hostname().split('.')[0]!;
let sb: Sandbox;
let repo: string;
let src: string;

/** Old archives as borgmatic 1.8 named them (`{hostname}-{now:%Y-%m-%dT%H:%M:%S.%f}`), one a day. */
const OLD_DAYS = ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23'];
const oldName = (day: string) => `${hostname}-${day}T03:00:00.000000`;

beforeAll(async () => {
  sb = await sandbox('dandelion-import-borgmatic-');
  repo = path.join(sb.dir, 'repo');
  src = path.join(sb.dir, 'src');
  await makeTree(src, 6);
  const init = await borg(sb, ['init', '--encryption=none', repo]);
  expect(init.exitCode, init.stderr).toBe(0);
  for (const day of OLD_DAYS) {
    const r = await borg(sb, ['create', '--timestamp', `${day}T03:00:00`, `${repo}::${oldName(day)}`, src]);
    expect(r.exitCode, r.stderr).toBe(0);
  }
  // An archive someone made by hand: not borgmatic's, so its prune never touched it.
  const other = await borg(sb, ['create', '--timestamp', '2026-11-01T12:00:00', `${repo}::before-upgrade`, src]);
  expect(other.exitCode, other.stderr).toBe(0);
});

afterAll(async () => {
  await sb?.cleanup();
});

describe('a borgmatic setup imported and run by Dandelion', () => {
  it('backs up into the same repository with the same name pattern, and prunes the old archives by the same rules', async () => {
    const yaml = `source_directories:
    - ${src}
repositories:
    - path: ${repo}
      label: disk
      encryption: none
keep_daily: 2
`;
    const imported = readBorgmatic(yaml, 'config.yaml', machineContext());
    const profiles = imported.profiles.map(({ monitor: _monitor, ...p }) => p);
    expect(profiles.map((p) => [p.id, p.repository, p.archiveName, p.prune])).toEqual([
      ['disk', repo, '{hostname}-{now:%Y-%m-%dT%H:%M:%S.%f}', { keepDaily: 2 }],
    ]);
    expect(parseConfig({ profiles }).ok).toBe(true);
    await writeConfig(sb.configDir, { profiles });

    // What borgmatic's own prune would delete now: its archive filter and its keep rule, as borg reads them.
    const borgmatic = await borg(sb, ['prune', '--dry-run', '--list', '--glob-archives', '{hostname}-*', '--keep-daily', '2', repo]);
    expect(borgmatic.exitCode, borgmatic.stderr).toBe(0);
    const wouldPrune = [...borgmatic.stderr.matchAll(/Would prune:\s+(\S+)/g)].map((m) => m[1]);
    expect(wouldPrune.sort()).toEqual([oldName('2026-11-20'), oldName('2026-11-21')]);

    const run = await dandelion(sb, ['run', 'disk']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);

    const names = await listArchives(sb, repo);
    const fresh = names.filter((n) => !OLD_DAYS.some((d) => n === oldName(d)) && n !== 'before-upgrade');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatch(new RegExp(`^${hostname}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}$`));
    // keep_daily 2 over today's archive and the old ones: today's and the newest old day stay; the
    // hand-made archive is outside the filter and stays too.
    expect(names.sort()).toEqual([fresh[0], oldName('2026-11-23'), 'before-upgrade'].sort());
    // borgmatic's own prune, run now, finds nothing left to do: Dandelion pruned exactly as it would have.
    const after = await borg(sb, ['prune', '--dry-run', '--list', '--glob-archives', '{hostname}-*', '--keep-daily', '2', repo]);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stderr).not.toMatch(/Would prune/);
  });
});
