import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { formatBytes, timeAgo } from '../../src/format.js';
import { tryLock } from '../../src/jobs/pid-lock.js';

describe('time ago', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  const ago = (s: number) => timeAgo(new Date(now.getTime() - s * 1000), now);
  it('reads like a person would say it', () => {
    expect(ago(10)).toBe('just now');
    expect(ago(60)).toBe('1 minute ago');
    expect(ago(2 * 3600)).toBe('2 hours ago');
    expect(ago(26 * 3600)).toBe('1 day ago');
    expect(ago(3 * 7 * 86400)).toBe('3 weeks ago');
    // Long ago: the day in local words, never an ISO date.
    // Day or month first as the process's locale has it (en-US here unless LANG says otherwise).
    expect(ago(100 * 86400)).toMatch(/^on (19 Aug|Aug 19)$/);
    expect(ago(400 * 86400)).toMatch(/^on (23 Oct 2025|Oct 23, 2025)$/);
  });
  it('formats sizes', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(250_000_000_000)).toBe('250 GB');
  });
});

describe('pid lock', () => {
  it('lets one owner in, names it to the next, and takes over a stale lock', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-lock-'));
    const file = path.join(dir, 'x.lock');
    const a = await tryLock(file, 'first');
    expect(a.ok).toBe(true);
    const b = await tryLock(file, 'second');
    expect(b).toMatchObject({ ok: false, owner: { pid: process.pid, what: 'first' } });
    if (a.ok) await a.release();
    // A lock left by a process that is gone.
    const dead = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await fs.writeFile(file, JSON.stringify({ pid: Number(dead.stdout), what: 'crashed', since: '' }));
    const c = await tryLock(file, 'third');
    expect(c.ok).toBe(true);
    if (c.ok) await c.release();
    await fs.rm(dir, { recursive: true });
  });
});
