/**
 * Start-up is part of the cost of every `dandelion run` (docs/benchmarks.md, "The cost of a run"):
 * each command loads the modules it uses and no others. The built CLI runs with a preload that
 * records every module it resolves.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dandelion, makeTree, ROOT, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';

const TRACE = path.join(ROOT, 'test', 'helpers', 'module-trace.mjs');

let sb: Sandbox;
let src: string;
let repo: string;

beforeAll(async () => {
  sb = await sandbox('dandelion-startup-');
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src);
  await writeConfig(sb.configDir, { profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [src] }] });
});

afterAll(async () => {
  await sb?.cleanup();
});

/**
 * Runs the CLI and returns what it printed and the modules it loaded, named as in dist/ (`engine.js`,
 * `jobs/backup.js`) and packages by name. The CLI is a bundle: each file it loads is dist/cli.js or a
 * chunk, and dist/cli-chunks/chunks.json (written by the build) names the sources each one holds.
 */
async function loaded(args: string[], name: string) {
  const out = path.join(sb.dir, `modules-${name}.txt`);
  const r = await dandelion(sb, args, { env: { NODE_OPTIONS: `--import=${TRACE}`, DANDELION_TRACE_MODULES: out } });
  const chunks = JSON.parse(await fs.readFile(path.join(ROOT, 'dist', 'cli-chunks', 'chunks.json'), 'utf8')) as Record<string, string[]>;
  const urls = (await fs.readFile(out, 'utf8')).split('\n').filter(Boolean);
  const modules = new Set<string>();
  const add = (source: string) => {
    const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
    if (pkg) modules.add(pkg[1]!);
    else if (source.startsWith('src/')) modules.add(source.slice('src/'.length).replace(/\.ts$/, '.js'));
  };
  for (const url of urls) {
    const dist = /\/dist\/(.+)$/.exec(url);
    if (dist && !dist[1]!.includes('node_modules')) {
      const sources = chunks[dist[1]!];
      expect(sources, `${dist[1]} is not an output of the CLI's bundle`).toBeDefined();
      sources!.forEach(add);
    } else add(url);
  }
  return { r, modules };
}

describe('what a command loads', () => {
  it('--version, help and a usage error answer without the engine, the config schema or zod', async () => {
    for (const [name, args] of [
      ['version', ['--version']],
      ['help', ['--help']],
      ['unknown', ['no-such-command']],
    ] as const) {
      const { r, modules } = await loaded([...args], name);
      expect(r.stdout + r.stderr).not.toBe('');
      expect(modules.has('cli.js'), name).toBe(true);
      for (const heavy of ['engine.js', 'profiles/schema.js', 'profiles/store.js', 'engine/status.js', 'zod'])
        expect([...modules], `${name} loads ${heavy}`).not.toContain(heavy);
    }
  });

  it('a run loads the engine and borg’s runner, and not the daemon, doctor, the triggers or the packages only they use', async () => {
    await dandelion(sb, ['init', 'p']);
    const { r, modules } = await loaded(['run', 'p'], 'run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^success/m);
    for (const needed of ['engine.js', 'jobs/backup.js', 'borg/run.js', 'jobs/run-log.js', 'zod']) expect([...modules]).toContain(needed);
    for (const unneeded of [
      'daemon.js',
      'doctor.js',
      'supervisor.js',
      'triggers/controller.js',
      'repo/contents.js',
      'browse/browser.js',
      'browse/store.js',
      'browse/index-file.js',
      'ops/restore.js',
      'ops/restore-plan.js',
      'chokidar',
      'node-schedule',
      'execa',
    ])
      expect([...modules], `run loads ${unneeded}`).not.toContain(unneeded);
  });
});
