/**
 * `dandelion import` end to end, with real borg and a real keyring: a seed-style script whose
 * repository the test made and filled the way the script would have (archives `{hostname}-{now}`),
 * shown without writing anything, then applied: the profile saved, the passphrase in the keyring,
 * the repository checked; then a Dandelion backup lands in the same repository with the same prefix
 * and its prune keeps the old archives by the script's own rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ROOT, borg, dandelion, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { startKeyring, type Keyring } from '../helpers/keyring.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/import/apply');
const SEED = path.join(FIXTURES, 'seed.sh');
/** The passphrase written in seed.sh. */
const PASS = 'tulip-meadow-4711';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** Every file under dir with a hash of its bytes: "unchanged" means this map is equal. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await filesUnder(dir))
    out[path.relative(dir, f)] = crypto
      .createHash('sha256')
      .update(await fs.readFile(f))
      .digest('hex');
  return out;
}

async function withKeyringEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = env.DBUS_SESSION_BUS_ADDRESS;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = before;
  }
}

/** `borg create --timestamp` wants UTC without a zone. */
function utc(d: Date): string {
  return d.toISOString().slice(0, 19);
}

describe('dandelion import (a seed-style script, real borg, real keyring)', () => {
  let sb: Sandbox;
  let keyring: Keyring;
  let repo: string;
  let spy: string;
  let seen: string;
  /** The id the import gave the seed script's profile (the reader chooses it). */
  let id = '';
  const DAY = 86_400_000;
  /** The old archives the script made: one a day at noon (UTC), 1 to 12 days ago. */
  const oldDays = Array.from({ length: 12 }, (_, i) => i + 1);
  const stamp = (daysAgo: number) => {
    const d = new Date(Date.now() - daysAgo * DAY);
    d.setUTCHours(12, 0, 0, 0);
    return utc(d);
  };

  const keyringGet = (account: string) =>
    withKeyringEnv(keyring.env, async () => {
      const { OsKeyring, keyringAccount } = await import('../../src/secrets/keyring.js');
      return new OsKeyring().get(keyringAccount(account));
    });

  beforeAll(async () => {
    sb = await sandbox('dandelion-import-');
    keyring = await startKeyring(sb.home);
    Object.assign(sb.env, keyring.env);
    await fs.mkdir(path.join(sb.home, 'Documents', 'node_modules'), { recursive: true });
    await fs.writeFile(path.join(sb.home, 'Documents', 'letter.txt'), 'Dear Ada,\n');
    await fs.writeFile(path.join(sb.home, 'Documents', 'node_modules', 'skip.js'), 'left out\n');
    repo = path.join(sb.home, 'backup', 'borg-repo');
    await fs.mkdir(path.dirname(repo), { recursive: true });
    await freshRepository(repo, 'repokey-blake2', PASS);
    for (const days of oldDays) {
      const when = stamp(days);
      const r = await borg(sb, ['create', '--timestamp', when, `${repo}::{hostname}-${when}`, path.join(sb.home, 'Documents')], PASS);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    // Not the script's: another prefix, which a prune of the script's archives must never touch.
    const other = await borg(sb, ['create', `${repo}::by-hand-keep`, path.join(sb.home, 'Documents')], PASS);
    expect(other.exitCode, other.stderr).toBe(0);
    // Every borg child of Dandelion goes through this spy, which keeps its argv and environment.
    seen = path.join(sb.dir, 'borg-seen');
    await fs.mkdir(seen);
    spy = path.join(sb.dir, 'borg-spy.sh');
    await fs.writeFile(
      spy,
      `#!/bin/sh\nn=$$\nprintf '%s\\n' "$@" > "${seen}/argv.$n"\ncat /proc/$$/environ | tr '\\0' '\\n' > "${seen}/env.$n"\nexec borg "$@"\n`,
      { mode: 0o755 },
    );
    await writeConfig(sb.configDir, { borgPath: spy, profiles: [] });
  }, 120_000);

  afterAll(async () => {
    await keyring?.stop();
    await sb?.cleanup();
  });

  it('without --apply prints the profile and the report and writes nothing (config, keyring, the script)', async () => {
    const before = { config: await tree(sb.configDir), fixtures: await tree(FIXTURES), repo: await tree(repo) };
    const r = await dandelion(sb, ['import', SEED]);
    expect(r.exitCode, r.stderr).toBe(1); // a passphrase to remove from the script is a to-do
    expect(r.stdout).toContain('Would create 1 profile');
    // "~/…" as the script wrote it, or expanded: the reader may do either.
    expect(r.stdout).toMatch(new RegExp(`Repository: +(~|${sb.home})/backup/borg-repo\n`));
    expect(r.stdout).toMatch(new RegExp(`Back up: +(~|${sb.home})/Documents\n`));
    expect(r.stdout).toMatch(/Leave out: +\*\/node_modules, \*\/\.Trash/);
    expect(r.stdout).toMatch(/Keep: +7 daily, 4 weekly/);
    expect(r.stdout).toMatch(/Archive names: +\{hostname\}-\{now\}/);
    expect(r.stdout).toMatch(/When: +only when you start it/);
    expect(r.stdout).toContain('Carried over:');
    expect(r.stdout).toContain('What you will still have to do:');
    expect(r.stdout).toMatch(new RegExp(`${SEED.replace(/[.]/g, '\\.')}:4: Remove the [^\n]*passphrase`));
    expect(r.stdout + r.stderr).not.toContain(PASS);
    expect(await tree(sb.configDir)).toEqual(before.config);
    expect(await tree(FIXTURES)).toEqual(before.fixtures);
    expect(await tree(repo)).toEqual(before.repo);
    expect(await keyringGet(repo)).toBeNull();
    expect(await filesUnder(seen)).toEqual([]); // borg was not even run
  });

  it('--json without --apply: the same plan as data, no passphrase in it', async () => {
    const r = await dandelion(sb, ['import', SEED, '--json']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toContain(PASS);
    const o = JSON.parse(r.stdout) as {
      dryRun: boolean;
      saved: boolean;
      profiles: { id: string; repository: string; archiveName: string; prune: unknown; passphraseFound: boolean }[];
      report: { kind: string; at: { file: string; line: number } | null }[];
    };
    expect(o.dryRun).toBe(true);
    expect(o.saved).toBe(false);
    expect(o.profiles).toMatchObject([{ archiveName: '{hostname}-{now}', prune: { keepDaily: 7, keepWeekly: 4 }, passphraseFound: true }]);
    expect(o.report.filter((x) => x.kind === 'todo').map((x) => x.at)).toContainEqual({ file: SEED, line: 4 });
  });

  it('a file that does not exist: one sentence, exit 2, nothing written', async () => {
    const before = await tree(sb.configDir);
    const r = await dandelion(sb, ['import', path.join(sb.dir, 'no-such-script.sh')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `There is no file at ${path.join(sb.dir, 'no-such-script.sh')}: name the script, plist, crontab, borgmatic or Vorta file to import.`,
    ]);
    expect(await tree(sb.configDir)).toEqual(before);
  });

  it('a file with nothing borg in it: nothing importable, exit 2, nothing written', async () => {
    const before = await tree(sb.configDir);
    const r = await dandelion(sb, ['import', path.join(FIXTURES, 'not-borg.sh'), '--apply']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('Nothing to create.');
    expect(await tree(sb.configDir)).toEqual(before);
  });

  it('--apply saves the profile, stores the passphrase in the keyring, and checks the repository with borg', async () => {
    const script = await fs.readFile(SEED);
    const r = await dandelion(sb, ['import', SEED, '--apply', '--json']);
    expect(r.stdout + r.stderr).not.toContain(PASS);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1); // still to do: remove the passphrase from the script
    const o = JSON.parse(r.stdout) as {
      saved: boolean;
      profiles: { id: string; passphraseStored: boolean; check: { reachable: boolean; encryption: string; passphrase: string } }[];
      report: { kind: string; message: string; at: { file: string; line: number } | null }[];
    };
    expect(o.saved).toBe(true);
    id = o.profiles[0]!.id;
    expect(o.profiles[0]).toMatchObject({
      passphraseStored: true,
      check: { reachable: true, encryption: 'repokey-blake2', passphrase: 'opens' },
    });
    expect(o.report.find((x) => x.kind === 'todo' && x.at?.line === 4)?.message).toMatch(/Remove the .*passphrase/);
    const config = JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')) as {
      borgPath: string;
      profiles: Record<string, unknown>[];
    };
    expect(config.borgPath).toBe(spy); // the rest of the file kept
    // As the script wrote it ("~/…") or expanded: either way the repository the test made.
    expect(String(config.profiles[0]!.repository).replace(/^~/, sb.home)).toBe(repo);
    expect(String((config.profiles[0]!.sources as string[])[0]).replace(/^~/, sb.home)).toBe(path.join(sb.home, 'Documents'));
    expect(config.profiles).toMatchObject([{ id, archiveName: '{hostname}-{now}', prune: { keepDaily: 7, keepWeekly: 4 } }]);
    expect(await keyringGet(repo)).toBe(PASS);
    expect(await fs.readFile(SEED)).toEqual(script); // the imported file is never changed
  });

  it('importing the same script again adds nothing: the profile is already there', async () => {
    const before = await tree(sb.configDir);
    const r = await dandelion(sb, ['import', SEED]);
    expect(r.stdout).toContain(`Not added: "${id}" — profile "${id}" already backs up to`);
    expect(r.stdout).not.toContain('Would create 1');
    const apply = await dandelion(sb, ['import', SEED, '--apply']);
    expect(apply.stdout).toContain('Nothing to create.');
    expect(JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')).profiles).toHaveLength(1);
    expect((await tree(sb.configDir))['config.json']).toBe(before['config.json']);
  });

  it('round trip: a Dandelion backup goes into the same repository with the same prefix, and prune keeps the old archives by the script’s rules', async () => {
    const host = (await borg(sb, ['list', '--short', repo], PASS)).stdout
      .split('\n')
      .find((n) => n.endsWith(stamp(1)))!
      .slice(0, -stamp(1).length - 1);
    expect(host).toBeTruthy();
    const run = await dandelion(sb, ['run', id]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const names = (await borg(sb, ['list', '--short', repo], PASS)).stdout.trim().split('\n');
    const ours = names.filter((n) => n.startsWith(`${host}-`));
    // The new archive: the script's name, {hostname}-{now}.
    expect(ours.filter((n) => !oldDays.some((d) => n === `${host}-${stamp(d)}`))).toHaveLength(1);
    expect(ours.find((n) => !oldDays.some((d) => n === `${host}-${stamp(d)}`))).toMatch(
      new RegExp(`^${host}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d$`),
    );
    // keep-daily 7: today's and the six days before it; the rest thinned out by keep-weekly 4.
    for (const d of [1, 2, 3, 4, 5, 6]) expect(names).toContain(`${host}-${stamp(d)}`);
    expect(ours.length).toBeLessThan(oldDays.length + 1);
    expect(ours.length).toBeGreaterThanOrEqual(7);
    // The script's own prune would remove nothing more: what is left is exactly what its rules keep.
    const again = await borg(
      sb,
      ['prune', '--dry-run', '--list', '--keep-daily', '7', '--keep-weekly', '4', '--glob-archives', `${host}-*`, repo],
      PASS,
    );
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/Would prune/);
    expect(again.stderr).toMatch(/Keeping archive/);
    // Another prefix is never touched.
    expect(names).toContain('by-hand-keep');
  }, 120_000);

  it('a second script whose archive names overlap the first one’s on the same repository: refused with the field, nothing written', async () => {
    const before = await tree(sb.configDir);
    const r = await dandelion(sb, ['import', path.join(FIXTURES, 'overlap.sh'), '--apply']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('Nothing was written: 1 profile could not be saved.');
    expect(r.stdout).toMatch(/[a-z0-9-]+: profiles\[1\]\.archiveName: overlaps the archives of profile "[^"]+" on the same repository/);
    expect(await tree(sb.configDir)).toEqual(before);
  });

  it('--apply in words: what was saved, that the repository cannot be reached, and what is still to do', async () => {
    const r = await dandelion(sb, ['import', path.join(FIXTURES, 'elsewhere.sh'), '--apply']);
    expect(r.stdout + r.stderr).not.toContain('harbour-kite-58');
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('Created 1 profile:');
    expect(r.stdout).toMatch(/Result: +saved; repository NOT reachable/);
    expect(r.stdout).toMatch(/Passphrase: +stored in the keyring/);
    expect(r.stdout).toContain('What you still have to do:');
    expect(r.stdout).toMatch(/elsewhere\.sh:3: Remove the [^\n]*passphrase/);
    expect(r.stdout).toMatch(/does not exist|not found|no repository/i);
    expect(await keyringGet(path.join(sb.home, 'backup', 'not-made-yet'))).toBe('harbour-kite-58');
    for (const f of await filesUnder(sb.configDir)) expect(await fs.readFile(f, 'utf8'), f).not.toContain('harbour-kite-58');
  }, 60_000);

  it('the passphrase never reached a borg argv or environment, config.json, a log, or a file we wrote', async () => {
    const captured = await filesUnder(seen);
    expect(captured.some((f) => path.basename(f).startsWith('env.'))).toBe(true);
    for (const f of captured) expect(await fs.readFile(f, 'utf8'), f).not.toContain(PASS);
    const envs = await Promise.all(captured.filter((f) => path.basename(f).startsWith('env.')).map((f) => fs.readFile(f, 'utf8')));
    expect(envs.some((e) => e.includes('BORG_PASSPHRASE_FD='))).toBe(true);
    const ours = await filesUnder(sb.configDir);
    expect(ours.some((f) => f.endsWith('.log'))).toBe(true);
    for (const f of ours) expect(await fs.readFile(f, 'utf8'), f).not.toContain(PASS);
  });
});
