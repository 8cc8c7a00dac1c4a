/**
 * Round trip with real borg: a profile imported from a seed-style script backs up into the same
 * repository with the same archive prefix, and its prune treats the script's old archives exactly
 * as the script's own prune would. The script itself is never run: the test plays its part with
 * borg on a copy of the repository.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, dandelion, listArchives, SKIP_BORG_SELFTEST, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { machineContext } from '../../src/import/context.js';
import { readImport } from '../../src/import/read.js';
import type { ImportResult } from '../../src/import/model.js';

const PASS = 'correct horse battery staple';
let sb: Sandbox;
let repo: string;
let script: string;
let imported: ImportResult;

/** When the old archives were made, as a script run each night (and once by hand the same day) for weeks would have left them. */
const OLD_TIMES = [
  '2026-09-20T03',
  '2026-10-11T03',
  '2026-10-25T03',
  '2026-10-31T03',
  '2026-11-01T03',
  '2026-11-02T03',
  '2026-11-03T03',
  '2026-11-03T15',
].map((t) => `${t}:00:00`);

beforeAll(async () => {
  sb = await sandbox('dandelion-import-');
  repo = path.join(sb.dir, 'repo');
  await makeTree(path.join(sb.home, 'Documents'), 2);
  await fs.mkdir(path.join(sb.home, 'Documents', 'node_modules'));
  await fs.writeFile(path.join(sb.home, 'Documents', 'node_modules', 'big.js'), 'left out');
  expect((await borg(sb, ['init', '--encryption=repokey', repo], PASS)).exitCode).toBe(0);
  // What the script made over the weeks, with borg's own {hostname}; and one archive that is not the script's.
  for (const time of OLD_TIMES) {
    const r = await borg(sb, ['create', '--timestamp', time, `${repo}::{hostname}-${time}`, path.join(sb.home, 'Documents')], PASS);
    expect(r.exitCode, r.stderr).toBe(0);
  }
  expect(
    (
      await borg(
        sb,
        ['create', '--timestamp', '2026-10-01T03:00:00', `${repo}::manual-before-upgrade`, path.join(sb.home, 'Documents')],
        PASS,
      )
    ).exitCode,
  ).toBe(0);

  script = path.join(sb.home, 'bin', 'backup.sh');
  await fs.mkdir(path.dirname(script), { recursive: true });
  await fs.writeFile(
    script,
    [
      '#!/bin/sh',
      `export BORG_REPO=${repo}`,
      `export BORG_PASSPHRASE='${PASS}'`,
      '',
      "borg create --stats ::'{hostname}-{now}' ~/Documents --exclude '*/node_modules'",
      "borg prune --glob-archives '{hostname}-*' --keep-daily 3 --keep-weekly 2 --keep-monthly 1",
      '',
    ].join('\n'),
  );
  imported = readImport([script], { ...machineContext(), home: sb.home });
}, 120_000);

afterAll(async () => {
  await sb?.cleanup();
});

/** The archives the script's own prune would keep after one more run of the script, found with borg on a copy. */
async function whatTheScriptWouldKeep(): Promise<string[]> {
  const copy = path.join(sb.dir, 'repo-copy');
  await fs.cp(repo, copy, { recursive: true });
  // Its own borg cache and security folders: the copy has the same repository id.
  const env = {
    ...sb.env,
    ...SKIP_BORG_SELFTEST,
    BORG_BASE_DIR: path.join(sb.dir, 'borg-base-copy'),
    BORG_PASSPHRASE: PASS,
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  };
  const run = (args: string[]) => execa('borg', args, { env, extendEnv: false, reject: false, stdin: 'ignore' });
  const create = await run(['create', `${copy}::{hostname}-{now}`, path.join(sb.home, 'Documents'), '--exclude', '*/node_modules']);
  expect(create.exitCode, create.stderr).toBe(0);
  const prune = await run([
    'prune',
    '--glob-archives',
    '{hostname}-*',
    '--keep-daily',
    '3',
    '--keep-weekly',
    '2',
    '--keep-monthly',
    '1',
    copy,
  ]);
  expect(prune.exitCode, prune.stderr).toBe(0);
  const list = await run(['list', '--short', copy]);
  return list.stdout.split('\n').filter(Boolean);
}

describe('a profile imported from a seed-style script, with real borg', () => {
  it("is the script's repository, archive name, sources, excludes and prune rules", () => {
    expect(imported.profiles).toHaveLength(1);
    expect(imported.profiles[0]).toMatchObject({
      repository: repo,
      archiveName: '{hostname}-{now}',
      sources: ['~/Documents'],
      excludes: ['*/node_modules'],
      prune: { keepDaily: 3, keepWeekly: 2, keepMonthly: 1 },
    });
    expect(imported.secrets.map((s) => [s.passphrase, s.at.line])).toEqual([[PASS, 3]]);
  });

  it("backs up into the same repository with the same archive prefix, and prunes the old archives by the script's rules", async () => {
    const expected = await whatTheScriptWouldKeep();
    const id = imported.profiles[0]!.id;
    const secretFile = path.join(sb.dir, 'pw');
    await fs.writeFile(secretFile, imported.secrets[0]!.passphrase, { mode: 0o600 });
    // The secret goes to the Keychain on --apply (another part); here a passcommand hands it to borg.
    await writeConfig(sb.configDir, { profiles: [{ ...imported.profiles[0], passcommand: `cat ${secretFile}` }] });
    const r = await dandelion(sb, ['run', id]);
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);

    const after = await listArchives(sb, repo, PASS);
    const oldNames = (names: string[]) => names.filter((n) => /T\d\d:00:00$/.test(n) || n === 'manual-before-upgrade');
    const newNames = (names: string[]) => names.filter((n) => !oldNames([n]).length);
    // The old archives Dandelion kept are exactly those the script's prune keeps; the one not the script's is untouched.
    expect(oldNames(after).sort()).toEqual(oldNames(expected).sort());
    expect(after).toContain('manual-before-upgrade');
    expect(oldNames(after).length).toBeLessThan(OLD_TIMES.length + 1);
    // One new archive, named with the same prefix as the script's.
    const prefix = (n: string) => n.slice(0, n.lastIndexOf('-20'));
    expect(newNames(after)).toHaveLength(1);
    expect(prefix(newNames(after)[0]!)).toBe(prefix(oldNames(after).find((n) => n !== 'manual-before-upgrade')!));
    expect(prefix(newNames(after)[0]!)).toBe(prefix(newNames(expected)[0]!));
    // What the exclude kept out stays out.
    const files = await borg(sb, ['list', '--short', `${repo}::${newNames(after)[0]!}`], PASS);
    expect(files.stdout).toContain('Documents/file-0.txt');
    expect(files.stdout).not.toContain('node_modules/big.js');
  });
});
