import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borg, dandelion, listArchives, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';

let sb: Sandbox;
let repo: string;

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function logText(): Promise<string> {
  const dir = path.join(sb.configDir, 'logs', 'big');
  try {
    const names = (await fs.readdir(dir)).sort();
    return names.length ? await fs.readFile(path.join(dir, names.at(-1)!), 'utf8') : '';
  } catch {
    return '';
  }
}

beforeAll(async () => {
  sb = await sandbox();
  repo = path.join(sb.dir, 'repo');
  const src = path.join(sb.dir, 'src');
  await fs.mkdir(src);
  // Incompressible data and slow compression, so borg is still busy when we cancel even on a loaded machine.
  for (let i = 0; i < 160; i++) await fs.writeFile(path.join(src, `blob-${i}.bin`), crypto.randomBytes(2 * 1024 * 1024));
  await writeConfig(sb.configDir, {
    profiles: [
      { id: 'big', repository: repo, encryption: 'none', sources: [src], compression: 'zlib,6', prune: { keepLast: 3 } },
      { id: 'same-repo', repository: repo, encryption: 'none', sources: [src], archiveName: 'other-{now}', prune: null },
    ],
  });
  await freshRepository(repo, 'none');
}, 120_000);

afterAll(async () => {
  await sb?.cleanup();
});

describe('cancel and the per-repository lock', () => {
  it('refuses a second run on a repository another process is backing up, then cancels cleanly', async () => {
    const first = dandelion(sb, ['run', 'big'], { timeout: 300_000 });
    await waitFor('borg create to start listing files', async () => /\n\S+ A \//.test(await logText()));

    const during = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect(during.profiles.map((p: { state: string }) => p.state)).toEqual(['running', 'idle']);

    const second = await dandelion(sb, ['run', 'same-repo']);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/Another Dandelion process \(pid \d+\) is already using/);

    first.kill('SIGINT');
    const r = await first;
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/^cancelled/m);
    const status = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout);
    expect(status.profiles.find((p: { id: string }) => p.id === 'big').lastRun.result).toBe('cancelled');
    // The SIGINT was the user's cancel: borg's "ERROR Got Ctrl-C / SIGINT." is logged as a note, not an error.
    const log = await logText();
    expect(log).toMatch(/ INFO Cancelled by you; borg create stopped( at \S.*)?\n/);
    expect(log).not.toContain('Got Ctrl-C');
    expect(log).not.toMatch(/ ERROR /);

    const check = await borg(sb, ['check', repo]);
    expect(check.exitCode, check.stderr).toBe(0);
    // The checkpoint borg wrote on SIGINT, if any, is not a finished archive.
    expect((await listArchives(sb, repo)).filter((n) => !n.endsWith('.checkpoint'))).toHaveLength(0);

    const again = await dandelion(sb, ['run', 'big'], { timeout: 300_000 });
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect((await listArchives(sb, repo)).filter((n) => !n.endsWith('.checkpoint'))).toHaveLength(1);
  }, 300_000);
});
