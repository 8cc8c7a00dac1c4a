/**
 * borg's self-test runs on a binary's first command and again once a day, never in between
 * (src/borg/selftest.ts), through the built CLI and real borg. A wrapper between the engine and borg
 * writes down what each command was started with, and plays a broken borg when asked to.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dandelion, listArchives, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { SELFTEST_VALID_MS } from '../../src/borg/selftest.js';
import { locateBorg } from '../../src/borg/locate.js';
import { runBorg } from '../../src/borg/run.js';

let sb: Sandbox;
let wrapper: string;
let seen: string;
let broken: string;
let repo: string;
let cacheFile: string;

interface Entry {
  realpath: string;
  selftestPassedAt?: number;
}

/** What each borg command was started with: its first argument and whether the self-test was on. */
async function started(): Promise<{ command: string; selftest: boolean }[]> {
  const text = await fs.readFile(seen, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [flag, ...rest] = line.split(' ');
      return { command: rest.find((a) => !a.startsWith('-')) ?? rest[0] ?? '', selftest: flag !== 'disabled' };
    });
}

async function entries(): Promise<Entry[]> {
  return JSON.parse(await fs.readFile(cacheFile, 'utf8')) as Entry[];
}

beforeAll(async () => {
  sb = await sandbox();
  seen = path.join(sb.dir, 'seen');
  broken = path.join(sb.dir, 'broken');
  wrapper = path.join(sb.dir, 'borg-wrapper.sh');
  repo = path.join(sb.dir, 'repo');
  cacheFile = path.join(sb.configDir, 'cache', 'borg-versions.json');
  const src = path.join(sb.dir, 'src');
  await makeTree(src, 5);
  // `--version` never runs the self-test (argparse answers it before borg's checks): not written down.
  // With the file "broken" present, a command that runs the self-test fails as borg's does.
  await fs.writeFile(
    wrapper,
    `#!/bin/sh\n[ "$1" = --version ] && exec borg "$@"\necho "\${BORG_SELFTEST:-on} $*" >> "${seen}"\n` +
      `if [ -e "${broken}" ] && [ "\${BORG_SELFTEST}" != disabled ]; then\n` +
      `  echo '{"type": "log_message", "levelname": "ERROR", "name": "borg.selftest", "message": "self test failed"}' >&2\n  exit 2\nfi\n` +
      `exec borg "$@"\n`,
    { mode: 0o755 },
  );
  // {uuid4}: two runs in one second would make the same name, and the retry of a create that failed is a
  // command of its own, with the self-test again.
  await writeConfig(sb.configDir, {
    borgPath: wrapper,
    profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [src], archiveName: 't-{uuid4}', prune: null }],
  });
});

afterAll(async () => {
  await sb?.cleanup();
});

beforeEach(async () => {
  await fs.rm(seen, { force: true });
  await fs.rm(broken, { force: true });
});

describe("borg's self-test", () => {
  it("runs on a binary's first command only; the cache records that it passed", async () => {
    const init = await dandelion(sb, ['init', 'p']);
    expect(init.exitCode, init.stderr).toBe(0);
    const run = await dandelion(sb, ['run', 'p']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const commands = await started();
    expect(commands.length).toBeGreaterThanOrEqual(3); // init, create, compact (+ indexing)
    expect(commands[0]).toEqual({ command: 'init', selftest: true });
    expect(commands.slice(1).filter((c) => c.selftest)).toEqual([]);
    const [entry] = await entries();
    expect(entry?.realpath).toBe(await fs.realpath(wrapper));
    expect(Date.now() - (entry?.selftestPassedAt ?? 0)).toBeLessThan(60_000);
    expect(await listArchives(sb, repo)).toHaveLength(1);
  });

  it('runs again once the last pass is a day old', async () => {
    const list = await entries();
    await fs.writeFile(cacheFile, JSON.stringify(list.map((e) => ({ ...e, selftestPassedAt: Date.now() - SELFTEST_VALID_MS - 1000 }))));
    const run = await dandelion(sb, ['run', 'p']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const commands = await started();
    expect(commands[0]).toEqual({ command: 'create', selftest: true });
    expect(commands.slice(1).filter((c) => c.selftest)).toEqual([]);
    expect(Date.now() - ((await entries())[0]?.selftestPassedAt ?? 0)).toBeLessThan(60_000);
  });

  it('a failed self-test is an error, is not recorded, and the next command tests again', async () => {
    const list = await entries();
    await fs.writeFile(cacheFile, JSON.stringify(list.map(({ selftestPassedAt: _, ...e }) => e)));
    await fs.writeFile(broken, '');
    const run = await dandelion(sb, ['run', 'p']);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('BorgBackup failed its own self-test');
    expect((await entries())[0]?.selftestPassedAt).toBeUndefined();
    expect((await started()).every((c) => c.selftest)).toBe(true);
    await fs.rm(broken);
    await fs.rm(seen);
    const again = await dandelion(sb, ['run', 'p']);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect((await started())[0]?.selftest).toBe(true);
    expect((await entries())[0]?.selftestPassedAt).toBeDefined();
  });

  it('doctor says when it last passed, or that the next command runs it', async () => {
    const list = await entries();
    await fs.writeFile(cacheFile, JSON.stringify(list.map(({ selftestPassedAt: _, ...e }) => e)));
    // Without a profile, doctor runs no borg command: the self-test is still to come.
    const empty = path.join(sb.dir, 'empty-config');
    await fs.mkdir(path.join(empty, 'cache'), { recursive: true });
    await fs.copyFile(cacheFile, path.join(empty, 'cache', 'borg-versions.json'));
    await writeConfig(empty, { borgPath: wrapper, profiles: [] });
    const before = await dandelion(sb, ['doctor'], { env: { DANDELION_CONFIG_DIR: empty } });
    expect(before.stdout).toMatch(/borg 1\.\d+\.\d+ at \S+borg-wrapper\.sh; its self-test runs with the next borg command/);
    // Its probe of profile p is borg's first command: it runs the self-test, and the line says it passed.
    const probed = await dandelion(sb, ['doctor']);
    expect(probed.stdout).toMatch(/; its self-test passed today at \d{1,2}[:.]\d{2}/);
    expect((await started())[0]?.selftest).toBe(true);
    expect((await entries())[0]?.selftestPassedAt).toBeDefined();
  });

  it('a binary that changed is tested again', async () => {
    // An upgrade rewrites the binary: same path, another size and mtime.
    await fs.appendFile(wrapper, '# upgraded\n');
    const run = await dandelion(sb, ['run', 'p']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const commands = await started();
    expect(commands[0]?.selftest).toBe(true);
    expect(commands.slice(1).filter((c) => c.selftest)).toEqual([]);
  });

  it('a binary replaced under a running process is tested again before its next command', async () => {
    // Its own copy of the wrapper, found by this process as a daemon finds borg at its start.
    const copy = path.join(sb.dir, 'borg-copy.sh');
    await fs.copyFile(wrapper, copy);
    await fs.chmod(copy, 0o755);
    const borg = await locateBorg(copy, path.join(sb.dir, 'in-process-versions.json'));
    const list = () =>
      runBorg({ borg, args: ['list', repo], secret: { kind: 'none' }, ctx: { repository: repo, platform: process.platform } });
    const env = { ...process.env };
    Object.assign(process.env, { BORG_BASE_DIR: sb.env.BORG_BASE_DIR });
    try {
      expect((await list()).level).toBe('success');
      expect((await list()).level).toBe('success');
      await fs.appendFile(copy, '# upgraded\n');
      expect((await list()).level).toBe('success');
      expect((await list()).level).toBe('success');
    } finally {
      process.env.BORG_BASE_DIR = env.BORG_BASE_DIR;
      if (env.BORG_BASE_DIR === undefined) delete process.env.BORG_BASE_DIR;
    }
    expect((await started()).map((c) => c.selftest)).toEqual([true, false, true, false]);
  });
});
