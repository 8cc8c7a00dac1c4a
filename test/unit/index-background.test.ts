import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, RepoOps } from '../../src/engine/repo-ops.js';
import { withoutLock } from '../../src/borg/argv.js';
import { configPaths } from '../../src/paths.js';
import type { BorgRunResult } from '../../src/borg/run.js';
import type { RepoCommandOptions } from '../../src/repo/types.js';
import type { Profile } from '../../src/profiles/schema.js';
import type { History } from '../../src/jobs/history.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

const REPO_ID = 'a'.repeat(64);
const ARCHIVE_ID = 'b'.repeat(64);
const result = (stdout = ''): BorgRunResult => ({ exitCode: 0, signal: null, cancelled: false, level: 'success', diagnoses: [], stdout });

async function repoOps() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-index-bg-'));
  dirs.push(dir);
  const calls: { args: string[]; opts: RepoCommandOptions | undefined }[] = [];
  const ops = new RepoOps({
    paths: configPaths(dir),
    history: { summary: async () => ({ lastRun: null }) } as unknown as History,
    borg: async () => ({ path: 'borg', version: { major: 1, minor: 2, patch: 4, raw: '1.2.4' } }),
    secretFor: async () => ({ kind: 'none' }) as never,
    command: async (_p, args, opts) => {
      calls.push({ args, opts });
      if (args.includes('--json'))
        return result(
          JSON.stringify({
            repository: { id: REPO_ID },
            archives: [{ name: 'p-2026-12-03T10:00:00', id: ARCHIVE_ID, start: '2026-12-03T10:00:00.000000' }],
          }),
        );
      const line = JSON.stringify({ type: '-', path: 'home/me/a.txt', size: 3, mtime: '2026-12-03T09:00:00.000000', mode: '-rw-r--r--' });
      opts?.onStdout?.(Buffer.from(`${line}\n`));
      return result();
    },
  });
  const profile = { id: 'p', repository: '/repo', archiveName: 'p-{now}' } as Profile;
  return { ops, calls, profile, dir };
}

describe('indexing an archive in the background', () => {
  it('lists at the lowest priority and without the repository lock, the listing of archives and the pass alike', async () => {
    const { ops, calls, profile } = await repoOps();
    const signal = new AbortController().signal;
    const r = await ops.indexArchive(profile, 'p-2026-12-03T10:00:00', signal);
    expect(r).toEqual({ ok: true, value: { made: true } });
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c.args[0]).toBe('list');
      expect(c.args[1]).toBe('--bypass-lock');
      expect(c.opts).toMatchObject({ nice: BACKGROUND_NICE, signal });
    }
    expect(calls[1]!.args.at(-1)).toBe('/repo::p-2026-12-03T10:00:00');
    expect(BACKGROUND_NICE).toBe(19);
  });

  it('leaves what a window asks for at the usual priority, with the lock', async () => {
    const { ops, calls, profile } = await repoOps();
    const r = await ops.listFolder(profile, 'p-2026-12-03T10:00:00', 'home/me');
    expect(r.ok).toBe(true);
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(c.args).not.toContain('--bypass-lock');
      expect(c.opts?.nice).toBeUndefined();
    }
  });

  it('makes an index once: asked again, no borg runs', async () => {
    const { ops, calls, profile, dir } = await repoOps();
    expect(await ops.indexArchive(profile, 'p-2026-12-03T10:00:00')).toEqual({ ok: true, value: { made: true } });
    expect(await fs.readdir(path.join(configPaths(dir).archiveIndex, REPO_ID))).toEqual([`${ARCHIVE_ID}.idx`]);
    const n = calls.length;
    expect(await ops.indexArchive(profile, 'p-2026-12-03T10:00:00')).toEqual({ ok: true, value: { made: false } });
    // Only the fresh listing of archives ran (the new archive may not be in a kept one), not the pass.
    expect(calls.slice(n).map((c) => c.args.includes('--json'))).toEqual([true]);
  });

  it('says an archive that is not there is missing', async () => {
    const { ops, profile } = await repoOps();
    const r = await ops.indexArchive(profile, 'p-gone');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnosis.kind).toBe('archive-missing');
  });
});

describe('a listing without the repository lock', () => {
  it('adds --bypass-lock to borg list only, once', () => {
    expect(withoutLock(['list', '--log-json', '--json-lines', '--', '/r::a'])).toEqual([
      'list',
      '--bypass-lock',
      '--log-json',
      '--json-lines',
      '--',
      '/r::a',
    ]);
    expect(withoutLock(['list', '--bypass-lock', '--', '/r'])).toEqual(['list', '--bypass-lock', '--', '/r']);
    expect(withoutLock(['check', '--', '/r'])).toEqual(['check', '--', '/r']);
    expect(withoutLock(['create', '--', '/r::a', '/src'])).toEqual(['create', '--', '/r::a', '/src']);
  });
});
