import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { inject } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const isRoot = process.getuid?.() === 0;

/** A throw-away world for one test: HOME, config dir, source tree, repositories. */
export interface Sandbox {
  dir: string;
  home: string;
  configDir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function sandbox(prefix = 'dandelion-test-'): Promise<Sandbox> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const home = path.join(dir, 'home');
  const configDir = path.join(dir, 'config');
  await fs.mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  await fs.mkdir(configDir, { recursive: true });
  // The engine remembers borg's version per binary (cache/borg-versions.json), so a user's first command
  // asks `borg --version` once. A sandbox starts with that entry, asked once per run by global-setup.ts:
  // ~100 sandboxes each paid a borg start for it. Only for the borg on PATH; any other binary a test
  // points at (a fake, a wrong file) is still asked.
  const known = inject('borgVersionEntry');
  if (known) {
    await fs.mkdir(path.join(configDir, 'cache'), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(configDir, 'cache', 'borg-versions.json'), JSON.stringify([known]), { mode: 0o600 });
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    DANDELION_CONFIG_DIR: configDir,
    // borg's own cache and security dirs, so tests never touch the real ones.
    BORG_BASE_DIR: path.join(dir, 'borg-base'),
  };
  return {
    dir,
    home,
    configDir,
    env,
    // A write still landing (a child's last log line) must not fail the test that made it: rm retries.
    cleanup: () => fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }),
  };
}

export async function writeConfig(configDir: string, config: unknown): Promise<void> {
  await fs.writeFile(path.join(configDir, 'config.json'), JSON.stringify(config, null, 2));
}

/** Runs the built CLI as a user would, with only the sandbox's environment. */
export interface CliOptions {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeout?: number;
}

export function dandelion(sb: Sandbox, args: string[], opts: CliOptions = {}) {
  return execa(process.execPath, [CLI, ...args], {
    reject: false,
    extendEnv: false,
    timeout: opts.timeout ?? 120_000,
    cwd: opts.cwd,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    env: { ...sb.env, ...opts.env },
  });
}

/**
 * borg's self-test (src/borg/selftest.ts) ran once for this test run, in global-setup.ts; a direct borg
 * call of a test skips it, as the engine's own calls do once it passed.
 */
export const SKIP_BORG_SELFTEST = { BORG_SELFTEST: 'disabled' } as const;

/** Direct borg for checking what borg itself reports. The passphrase goes in via env here: this is the test, not the product. */
export function borg(sb: Sandbox, args: string[], passphrase?: string) {
  return execa('borg', args, {
    reject: false,
    extendEnv: false,
    env: {
      ...sb.env,
      ...SKIP_BORG_SELFTEST,
      ...(passphrase ? { BORG_PASSPHRASE: passphrase } : {}),
      BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
      BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
    },
    stdin: 'ignore',
  });
}

export async function listArchives(sb: Sandbox, repo: string, passphrase?: string): Promise<string[]> {
  const r = await borg(sb, ['list', '--json', repo], passphrase);
  if (r.exitCode !== 0) throw new Error(`borg list failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { archives: { name: string }[] }).archives.map((a) => a.name);
}

/** A small tree of files to back up. */
export async function makeTree(root: string, files = 20): Promise<void> {
  await fs.mkdir(path.join(root, 'sub'), { recursive: true });
  for (let i = 0; i < files; i++) {
    await fs.writeFile(path.join(root, i % 2 ? 'sub' : '', `file-${i}.txt`), `content ${i}\n`.repeat(100 + i));
  }
}

export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

/**
 * Runs the built CLI with its stdout a pipe whose reader is gone before the CLI writes a byte, as
 * `dandelion status | head -1` is once head has its line: every write fails with EPIPE.
 */
export function dandelionClosedStdout(
  sb: Sandbox,
  args: string[],
  opts: { env?: Record<string, string>; timeout?: number } = {},
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...sb.env, ...opts.env },
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stderr });
    });
  });
}
