import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { History, currentEpoch, summarize } from '../../src/jobs/history.js';
import { refreshSummary, readSummaryFile } from '../../src/jobs/history-index.js';
import { CHUNK, backwardLines, forwardLines } from '../../src/jobs/history-tail.js';
import { joinArchiveStats } from '../../src/repo/archives.js';
import type { RunRecord, RunResult } from '../../src/records.js';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-history-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

const RESULTS: RunResult[] = ['success', 'error', 'error', 'warning', 'skipped', 'cancelled', 'error'];
let t = Date.parse('2016-01-01T00:00:00Z');
function rec(i: number, repository?: string, extra: Partial<RunRecord> = {}): RunRecord {
  t += 3_600_000;
  const result = RESULTS[i % RESULTS.length]!;
  const made = result === 'success' || result === 'warning';
  return {
    profile: 'p',
    trigger: 'schedule',
    startedAt: new Date(t).toISOString(),
    finishedAt: new Date(t + 60_000).toISOString(),
    result,
    archive: made ? `p-${i}` : null,
    stats: made ? { originalSize: i, compressedSize: i, deduplicatedSize: i, nfiles: i, durationSeconds: 1 } : null,
    message: result === 'error' ? `failed ${i}` : null,
    diagnoses: [],
    log: null,
    ...(repository !== undefined ? { repository } : {}),
    ...extra,
  };
}
const line = (r: RunRecord) => JSON.stringify(r) + '\n';

/** Every reader agrees with the whole-file reading, for each repository asked. */
async function expectAgrees(h: History, repos: (string | undefined)[], profile = 'p'): Promise<void> {
  const all = await h.list(profile);
  for (const repo of repos) {
    const epoch = currentEpoch(all, repo).records;
    expect(await h.summary(profile, repo), `summary for ${repo}`).toEqual(summarize(all, repo));
    expect(await h.recent(profile, 5, repo), `recent for ${repo}`).toEqual(epoch.slice(-5).reverse());
    let inARow = 0;
    for (let i = epoch.length - 1; i >= 0 && epoch[i]!.result === 'error'; i--) inARow++;
    expect(await h.errorsInARow(profile, repo)).toBe(inARow);
  }
}

describe('the history tail reader', () => {
  it('skips truncated, garbage and non-record lines, reads a line longer than a chunk, and the last line without its newline', async () => {
    const dir = await tmp();
    const long = rec(0, '/r', { message: 'x'.repeat(3 * CHUNK + 17) });
    const last = rec(3, '/r');
    const text = [
      line(rec(1, '/r')),
      '{"profile":"p","startedAt":"2020-01-0', // cut short by a crash
      '\n',
      'garbage \u0000 here\n',
      'null\n[1,2]\n{"a":1}\n"text"\n',
      '{"startedAt":"x","finishedAt":"y"}\n', // no result: not a run
      line(long),
      '\n\n',
      line(rec(2, '/r')),
      JSON.stringify(last), // no trailing newline
    ].join('');
    await fs.writeFile(path.join(dir, 'p.jsonl'), text);
    const h = new History(dir);
    expect((await h.list('p')).map((r) => r.startedAt)).toHaveLength(4);
    expect((await h.recent('p', 10, '/r'))[0]).toEqual(last);
    expect((await h.recent('p', 10, '/r'))[2]).toEqual(long);
    await expectAgrees(h, [undefined, '/r', '/other']);
    // The next append starts on a fresh line and the summary follows.
    await h.append(rec(4, '/r'));
    await expectAgrees(new History(dir), [undefined, '/r']);
  });

  it('skips a garbage last line and a line cut short at the end', async () => {
    const dir = await tmp();
    const ok = rec(0, '/r');
    await fs.writeFile(path.join(dir, 'p.jsonl'), line(ok) + '{"profile":"p","start');
    const h = new History(dir);
    expect(await h.recent('p', 3, '/r')).toEqual([ok]);
    expect((await h.summary('p', '/r')).lastRun).toEqual(ok);
    await fs.appendFile(path.join(dir, 'p.jsonl'), 'edAt": 12 garbage}\n{not json\n');
    await expectAgrees(h, [undefined, '/r']);
    expect((await h.summary('p', '/r')).lastRun).toEqual(ok);
  });

  it('reads CRLF lines like list does', async () => {
    const dir = await tmp();
    const rs = [rec(0, '/r'), rec(1, '/r'), rec(2, '/r')];
    await fs.writeFile(path.join(dir, 'p.jsonl'), rs.map((r) => JSON.stringify(r) + '\r\n').join(''));
    const h = new History(dir);
    expect(await h.recent('p', 2, '/r')).toEqual([rs[2], rs[1]]);
    await expectAgrees(h, [undefined, '/r']);
  });

  it('answers nothing for an empty file and for no file', async () => {
    const dir = await tmp();
    const h = new History(dir);
    expect(await h.summary('p', '/r')).toEqual({ lastRun: null, lastSuccess: null, firstRunAt: null });
    expect(await h.recent('p', 5)).toEqual([]);
    await fs.writeFile(path.join(dir, 'p.jsonl'), '');
    expect(await h.summary('p', '/r')).toEqual({ lastRun: null, lastSuccess: null, firstRunAt: null });
    expect(await h.recent('p', 5, '/r')).toEqual([]);
    expect(await h.errorsInARow('p', '/r')).toBe(0);
  });

  it('finds every record across chunk boundaries, forwards and backwards', async () => {
    const dir = await tmp();
    // Lines of many lengths, so boundaries fall everywhere inside them (and inside a multi-byte character).
    const rs = Array.from({ length: 3000 }, (_, i) => rec(i, '/r', { message: 'é€'.repeat((i * 37) % 300) }));
    await fs.writeFile(path.join(dir, 'p.jsonl'), rs.map(line).join(''));
    const handle = await fs.open(path.join(dir, 'p.jsonl'), 'r');
    const size = (await handle.stat()).size;
    const forwards: string[] = [];
    for await (const l of forwardLines(handle, 0, size)) forwards.push(l.bytes.toString('utf8'));
    const backwards: string[] = [];
    for await (const l of backwardLines(handle, 0, size)) backwards.push(l.bytes.toString('utf8'));
    await handle.close();
    expect(forwards).toEqual(rs.map((r) => JSON.stringify(r)));
    expect(backwards).toEqual(rs.map((r) => JSON.stringify(r)).reverse());
    const h = new History(dir);
    expect(await h.recent('p', 5000, '/r')).toEqual([...rs].reverse());
    await expectAgrees(h, [undefined, '/r']);
  });

  it('reads only the epoch of the repository asked, legacy records included', async () => {
    const dir = await tmp();
    const rs = [
      rec(0),
      rec(1),
      rec(2, '/a'),
      rec(3, '/b/'),
      rec(4, '/b'),
      rec(5, '/a/./'),
      rec(6),
      rec(7, 'ssh://u@h/./r'),
      rec(8, 'ssh://u@h:22/./r'),
    ];
    await fs.writeFile(path.join(dir, 'p.jsonl'), rs.map(line).join(''));
    const h = new History(dir);
    expect(await h.recent('p', 10, '/a')).toEqual([rs[6], rs[5], rs[2], rs[1], rs[0]]);
    expect(await h.recent('p', 10, '/b')).toEqual([rs[4], rs[3]]);
    expect(await h.recent('p', 10, 'ssh://u@h/./r')).toEqual([rs[8], rs[7]]);
    await expectAgrees(h, [undefined, '/a', '/a/', '/b', 'ssh://u@h/./r', '/never']);
  });

  it('finds the stats of the archives asked, as joinArchiveStats picks them from the whole epoch', async () => {
    const dir = await tmp();
    const rs = Array.from({ length: 500 }, (_, i) => rec(i, i % 50 === 0 ? '/r/' : '/r'));
    rs.push(
      rec(7 * 100, '/r', {
        archive: 'p-0',
        stats: { originalSize: 1, compressedSize: 1, deduplicatedSize: 1, nfiles: 99, durationSeconds: 1 },
      }),
    );
    await fs.writeFile(path.join(dir, 'p.jsonl'), rs.map(line).join(''));
    const h = new History(dir);
    const names = ['p-0', 'p-7', 'p-150', 'p-350', 'p-497', 'p-490', 'not-ours'];
    const listed = names.map((name) => ({ name, id: name, start: '' }));
    const stats = await h.statsByArchive('p', '/r', new Set(names));
    const viaMap = listed.map((a) => ({ name: a.name, nfiles: stats.get(a.name)?.nfiles ?? null }));
    const viaList = joinArchiveStats(listed, currentEpoch(await h.list('p'), '/r').records, '/r').map((a) => ({
      name: a.name,
      nfiles: a.nfiles,
    }));
    expect(viaMap).toEqual(viaList);
    expect(stats.get('p-0')?.nfiles).toBe(99);
    expect(stats.get('p-7')?.nfiles).toBe(7);
    expect(stats.has('p-150')).toBe(false); // recorded under another spelling: joinArchiveStats leaves it out too
  });
});

describe('the history summary file', () => {
  it('follows appends, another process appending, truncation and replacement, and is 0600', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'p.jsonl');
    const h = new History(dir);
    const repos = [undefined, '/a', '/b', '/c'];
    let i = 0;
    // Legacy records first, then epochs that come and go.
    for (; i < 10; i++) await h.append(rec(i));
    for (const repo of ['/a', '/b', '/a/', '/c']) {
      for (let k = 0; k < 15; k++, i++) await h.append(rec(i, repo));
      await expectAgrees(h, repos);
    }
    expect((await fs.stat(path.join(dir, 'p.summary.json'))).mode & 0o777).toBe(0o600);
    const summaryText = await fs.readFile(path.join(dir, 'p.summary.json'), 'utf8');
    expect(summaryText).not.toMatch(/passphrase|BORG_PASS/i);

    // Another process appends (and one leaves a legacy line behind).
    await fs.appendFile(file, line(rec(i++, '/b')) + line(rec(i++)));
    await expectAgrees(h, repos);
    await expectAgrees(new History(dir), repos);

    // Cut short (a restore from backup, a hand edit): rebuilt.
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, Math.floor(text.length / 2)));
    await expectAgrees(h, repos);

    // Replaced by another file (atomic rename): rebuilt.
    await fs.writeFile(file + '.new', [rec(1, '/c'), rec(2, '/a')].map(line).join(''));
    await fs.rename(file + '.new', file);
    await expectAgrees(h, repos);
    await h.append(rec(3, '/a'));
    await expectAgrees(new History(dir), repos);
    expect((await fs.readdir(dir)).sort()).toEqual(['p.jsonl', 'p.summary.json']);
  });

  it('reads only the new bytes when the file grew, and rebuilds when it shrank, was replaced or the summary is unreadable', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'p.jsonl');
    const summaryFile = path.join(dir, 'p.summary.json');
    await fs.writeFile(file, [rec(0, '/a'), rec(1, '/a')].map(line).join(''));
    const refresh = async () => {
      const handle = await fs.open(file, 'r');
      try {
        return (await refreshSummary(handle, await handle.stat(), summaryFile, null)).freshness;
      } finally {
        await handle.close();
      }
    };
    expect(await refresh()).toBe('rebuilt');
    expect(await refresh()).toBe('fresh');
    await fs.appendFile(file, line(rec(2, '/a')));
    expect(await refresh()).toBe('grown');
    expect(await refresh()).toBe('fresh');
    await fs.truncate(file, 10);
    expect(await refresh()).toBe('rebuilt');
    await fs.writeFile(file + '.new', line(rec(3, '/a')).repeat(3));
    await fs.rename(file + '.new', file);
    expect(await refresh()).toBe('rebuilt');
    // Only the unterminated last line shrank: the folded bytes are intact, but the file is not the one summarized.
    await fs.appendFile(file, '{"profile":"p","startedAt":');
    expect(await refresh()).toBe('grown');
    await fs.truncate(file, (await fs.stat(file)).size - 5);
    expect(await refresh()).toBe('rebuilt');
    await fs.writeFile(summaryFile, '{"version":1,');
    expect(await refresh()).toBe('rebuilt');
    const text = await fs.readFile(file, 'utf8');
    expect((await readSummaryFile(summaryFile))?.offset).toBe(Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
  });

  it('answers for ten years of hourly runs like a whole-file reading', async () => {
    const dir = await tmp();
    const rs = Array.from({ length: 87_600 }, (_, i) => rec(i, i < 40_000 ? '/old' : '/new'));
    await fs.writeFile(path.join(dir, 'p.jsonl'), rs.map(line).join(''));
    const h = new History(dir);
    await expectAgrees(h, ['/new', '/old', undefined]);
    expect(await h.recent('p', 50, '/new')).toEqual(rs.slice(-50).reverse());
    await h.append(rec(1, '/old'));
    await expectAgrees(new History(dir), ['/new', '/old']);
  });
});
