import { afterEach, describe, expect, it, vi } from 'vitest';
import { currentEpoch, summarize } from '../../src/jobs/history.js';
import type { RunRecord, RunResult } from '../../src/records.js';
import { Throttle } from '../../src/engine/throttle.js';

let t = Date.parse('2026-03-01T10:00:00Z');
function rec(result: RunResult, repository?: string): RunRecord {
  t += 3_600_000;
  return {
    profile: 'p',
    trigger: 'schedule',
    startedAt: new Date(t).toISOString(),
    finishedAt: new Date(t + 60_000).toISOString(),
    result,
    archive: result === 'success' || result === 'warning' ? `a-${t}` : null,
    stats: null,
    message: null,
    diagnoses: [],
    log: null,
    ...(repository ? { repository } : {}),
  };
}

describe('the history summary', () => {
  it('reports the last success, not the last record, when the last run failed', () => {
    const ok = rec('success');
    const bad = rec('error');
    const s = summarize([ok, bad]);
    expect(s.lastRun).toBe(bad);
    expect(s.lastSuccess).toBe(ok);
    expect(s.firstRunAt).toBe(ok.startedAt);
  });

  it('counts a warning as a success and skipped or cancelled runs as neither', () => {
    const warn = rec('warning');
    const s = summarize([warn, rec('skipped'), rec('cancelled')]);
    expect(s.lastSuccess).toBe(warn);
    expect(summarize([rec('skipped'), rec('cancelled'), rec('error')]).lastSuccess).toBeNull();
  });

  it('is empty for no records', () => {
    expect(summarize([], '/r')).toEqual({ lastRun: null, lastSuccess: null, firstRunAt: null });
  });
});

describe('history epochs per repository', () => {
  it('says nothing was backed up to a repository the profile was just pointed at, and counts overdue from then', () => {
    const old = [rec('success', '/old'), rec('success', '/old')];
    const s = summarize(old, '/new');
    expect(s.lastRun).toBeNull();
    expect(s.lastSuccess).toBeNull();
    expect(s.firstRunAt).toBe(old[1]!.finishedAt);
  });

  it('keeps only the current repository records, and the old ones count again when pointed back', () => {
    const a1 = rec('success', '/a');
    const b1 = rec('error', '/b');
    const b2 = rec('success', '/b');
    const a2 = rec('error', '/a');
    expect(currentEpoch([a1, b1, b2, a2], '/b').records).toEqual([b1, b2]);
    const back = summarize([a1, b1, b2, a2], '/a');
    expect(back.lastRun).toBe(a2);
    expect(back.lastSuccess).toBe(a1);
  });

  it('gives records written before repositories were recorded to the first repository recorded after them', () => {
    const legacy = rec('success');
    const tagged = rec('error', '/a');
    expect(currentEpoch([legacy, tagged], '/a').records).toEqual([legacy, tagged]);
    expect(currentEpoch([legacy, tagged], '/b').records).toEqual([]);
    // Nothing recorded yet: legacy records belong to the current repository.
    expect(currentEpoch([legacy], '/z').records).toEqual([legacy]);
  });
});

describe('Throttle', () => {
  afterEach(() => vi.useRealTimers());

  it('fires at once, folds a burst into one trailing call, and never more often than its interval', () => {
    vi.useFakeTimers();
    const fire = vi.fn();
    const th = new Throttle(250, fire);
    th.poke();
    expect(fire).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 100; i++) th.poke();
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(249);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    expect(fire).toHaveBeenCalledTimes(2);
  });

  it('delivers a pending call on flush and drops it on cancel', () => {
    vi.useFakeTimers();
    const fire = vi.fn();
    const th = new Throttle(250, fire);
    th.poke();
    th.poke();
    th.flush();
    expect(fire).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(100);
    th.poke();
    th.cancel();
    vi.advanceTimersByTime(1000);
    expect(fire).toHaveBeenCalledTimes(2);
  });
});

describe('history epochs across spellings of one repository', () => {
  it('keeps the history when the same repository is written another way (./, a trailing slash, ssh default port)', () => {
    const a = rec('success', '/backups/./repo/');
    const b = rec('success', 'ssh://u@host/./r');
    expect(summarize([a], '/backups/repo').lastSuccess).toBe(a);
    expect(summarize([b], 'ssh://u@host:22/./r').lastSuccess).toBe(b);
    expect(summarize([a], '/backups/other').lastSuccess).toBeNull();
  });
});

describe('the stored summary of a history file', () => {
  it('answers as summarize does over the records on disk, for every epoch and spelling', async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { History } = await import('../../src/jobs/history.js');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-summary-'));
    const h = new History(dir);
    const repos = [undefined, '/a', '/a/', '/b', '/backups/./repo/', '/backups/repo', 'ssh://u@host:22/./r', '/never'];
    const records = [rec('success'), rec('error'), rec('success', '/a'), rec('warning', '/b'), rec('error', '/b')];
    records.push(rec('skipped'), rec('success', '/backups/./repo/'), rec('error', 'ssh://u@host/./r'), rec('cancelled', '/a/'));
    try {
      for (const r of records) {
        await h.append(r);
        for (const repo of repos) expect(await h.summary('p', repo)).toEqual(summarize(await h.list('p'), repo));
      }
    } finally {
      await fs.rm(dir, { recursive: true });
    }
  });
});
