/**
 * The pure decisions of verification: when a check and a drill are due, what status says about them
 * (overdue, failed), what borg's words say is damaged, the drill's sample and each sampled file's
 * verdict, and the argv (never --repair).
 */
import { describe, expect, it } from 'vitest';
import {
  DAMAGE_DIAGNOSES,
  graceDays,
  opDue,
  pickVerifyRecords,
  verifyPlan,
  verifyView,
  type VerifyRecords,
} from '../../src/ops/verify-due.js';
import { DamageCollector, damageOf } from '../../src/ops/check-findings.js';
import { chooseSample, sampleVerdict, seededRandom, SAMPLE_MAX_BYTES, type ArchiveFile } from '../../src/ops/sample.js';
import { dryRunExtractArgs, itemListArgs, sampleExtractArgs, verifyCheckArgs } from '../../src/ops/verify-argv.js';
import { parseItems } from '../../src/ops/verify.js';
import type { OpRecord } from '../../src/ops/records.js';
import { diagnosisFor } from '../../src/messages.js';
import { profileExit } from '../../src/status-exit.js';
import { verificationWords } from '../../src/app/tray-view.js';
import { EMPTY_MEMORY, memoryFromJson, notificationsFor } from '../../src/app/notifications.js';
import type { EngineSnapshot } from '../../src/engine/status.js';

const DAY = 86_400_000;
const NOW = new Date('2026-12-03T10:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);
const iso = (d: number) => daysAgo(d).toISOString();

function op(kind: 'check' | 'drill' | 'restore', result: OpRecord['result'], days: number, diagnosisKind?: string): OpRecord {
  return {
    kind,
    profile: 'p',
    repository: '/r',
    trigger: 'schedule',
    startedAt: iso(days),
    finishedAt: iso(days),
    result,
    archive: null,
    message: null,
    diagnoses: diagnosisKind
      ? [{ kind: diagnosisKind as 'repo-damaged', message: `Backups may not be restorable: ${diagnosisKind}`, fix: 'x' }]
      : [],
    log: null,
  };
}

describe('opDue', () => {
  it('is due everyDays after the last success, not a moment before', () => {
    expect(opDue({ everyDays: 30, lastSuccessAt: daysAgo(30), backupsSince: daysAgo(100), now: NOW })).toBe(true);
    expect(opDue({ everyDays: 30, lastSuccessAt: new Date(daysAgo(30).getTime() + 1), backupsSince: daysAgo(100), now: NOW })).toBe(false);
  });

  it('counts from when backups began for a repository never checked, and never without a backup', () => {
    expect(opDue({ everyDays: 30, lastSuccessAt: null, backupsSince: daysAgo(31), now: NOW })).toBe(true);
    expect(opDue({ everyDays: 30, lastSuccessAt: null, backupsSince: daysAgo(29), now: NOW })).toBe(false);
    expect(opDue({ everyDays: 30, lastSuccessAt: null, backupsSince: null, now: NOW })).toBe(false);
  });

  it('is never due with everyDays 0 (or a nonsense value)', () => {
    expect(opDue({ everyDays: 0, lastSuccessAt: null, backupsSince: daysAgo(1000), now: NOW })).toBe(false);
    expect(opDue({ everyDays: Number.NaN, lastSuccessAt: daysAgo(1000), backupsSince: daysAgo(1000), now: NOW })).toBe(false);
  });

  it('plans the check and the drill each on its own clock', () => {
    const policy = { everyDays: 7, verifyData: false };
    expect(
      verifyPlan({ policy, lastCheckSuccessAt: daysAgo(8), lastDrillSuccessAt: daysAgo(1), backupsSince: daysAgo(50), now: NOW }),
    ).toEqual({
      check: true,
      drill: false,
    });
    expect(verifyPlan({ policy, lastCheckSuccessAt: daysAgo(1), lastDrillSuccessAt: null, backupsSince: daysAgo(50), now: NOW })).toEqual({
      check: false,
      drill: true,
    });
  });
});

describe('verifyView', () => {
  const policy = { everyDays: 30, verifyData: false };
  const none: VerifyRecords = { lastCheck: null, lastCheckSuccess: null, lastDrill: null, lastDrillSuccess: null };

  it('gives the times of the last check and drill that passed', () => {
    const check = op('check', 'success', 3);
    const drill = op('drill', 'success', 2);
    const v = verifyView({ lastCheck: check, lastCheckSuccess: check, lastDrill: drill, lastDrillSuccess: drill }, policy, iso(100), NOW);
    expect(v).toEqual({ lastVerified: iso(3), lastProven: iso(2), verifyOverdue: false, verifyFailed: null });
  });

  it('is overdue past everyDays plus a grace of a week (at most everyDays), like backups', () => {
    expect(graceDays(30)).toBe(7);
    expect(graceDays(2)).toBe(2);
    expect(verifyView(none, policy, iso(37.1), NOW).verifyOverdue).toBe(true);
    expect(verifyView(none, policy, iso(36.9), NOW).verifyOverdue).toBe(false);
    const check = op('check', 'success', 38);
    const drill = op('drill', 'success', 1);
    // The drill is recent but the check is not: overdue.
    expect(
      verifyView({ lastCheck: check, lastCheckSuccess: check, lastDrill: drill, lastDrillSuccess: drill }, policy, iso(100), NOW)
        .verifyOverdue,
    ).toBe(true);
    expect(verifyView(none, { everyDays: 0, verifyData: false }, iso(1000), NOW).verifyOverdue).toBe(false);
    expect(verifyView(none, policy, null, NOW).verifyOverdue).toBe(false);
  });

  it('says the check failed (before the drill), with its diagnosis, and then not overdue', () => {
    const bad = op('check', 'error', 1, 'repo-damaged');
    const drill = op('drill', 'error', 1, 'data-damaged');
    const v = verifyView({ lastCheck: bad, lastCheckSuccess: null, lastDrill: drill, lastDrillSuccess: null }, policy, iso(100), NOW);
    expect(v.verifyFailed).toEqual({ kind: 'check', at: iso(1), diagnosis: bad.diagnoses[0] });
    expect(v.verifyOverdue).toBe(false);
    const onlyDrill = verifyView({ ...none, lastDrill: drill }, policy, iso(1), NOW);
    expect(onlyDrill.verifyFailed?.kind).toBe('drill');
  });

  it('picks the newest conclusive records: a check that could not run (disk away, cancelled) changes nothing', () => {
    const records = [
      op('restore', 'success', 0),
      op('check', 'error', 1, 'disk-not-mounted'),
      op('check', 'cancelled', 2),
      op('check', 'success', 3),
      op('drill', 'error', 4, 'restore-mismatch'),
      op('drill', 'success', 5),
    ];
    const picked = pickVerifyRecords(records);
    expect(picked.lastCheck).toBe(records[3]);
    expect(picked.lastCheckSuccess).toBe(records[3]);
    expect(picked.lastDrill).toBe(records[4]);
    expect(picked.lastDrillSuccess).toBe(records[5]);
    expect(verifyView(picked, policy, iso(10), NOW).verifyFailed?.kind).toBe('drill');
    // A check that passed after a failed one clears it.
    expect(pickVerifyRecords([op('check', 'success', 0), op('check', 'error', 1, 'repo-damaged')]).lastCheck?.result).toBe('success');
    expect([...DAMAGE_DIAGNOSES].sort()).toEqual(['archives-damaged', 'data-damaged', 'repo-damaged', 'restore-mismatch']);
  });
});

describe('what borg says is damaged', () => {
  // Lines as borg 1.2.4 wrote them for a segment file with 64 flipped bytes (check, then extract --dry-run).
  it.each([
    ['Data integrity error: Segment entry checksum mismatch [segment 2, offset 281184]', undefined, 'segments'],
    ['Index object count mismatch.', undefined, 'segments'],
    ['Finished full repository check, errors found.', undefined, 'segments'],
    ['Segment 5 (/r/data/0/5) has IntegrityError(s) [x] - skipping.', undefined, 'segments'],
    ['Data integrity error: Segment entry checksum mismatch [segment 2, offset 281184]', 'IntegrityError', 'segments'],
    ['Archive metadata block 0e3f is missing!', undefined, 'archives'],
    ['Repository manifest not found!', undefined, 'archives'],
    ['a1: src/f1: New missing file chunk detected (Byte 0-20000, Chunk 1c5e). Replacing with all-zero chunk.', undefined, 'archives'],
    ['3 orphaned objects found!', undefined, 'archives'],
    ['Archive consistency check complete, problems found.', undefined, 'archives'],
    ['chunk 1c5efdf5, integrity error: MAC Authentication failed', undefined, 'data'],
    ['Data integrity error: Chunk 1c5e: Invalid encryption envelope', 'IntegrityError', 'data'],
  ])('%j is damage to the %s', (line, msgid, kind) => {
    const expected = kind === 'segments' ? 'segments' : kind;
    expect(damageOf(line, msgid)).toBe(expected);
  });

  it.each(['Checking segments', 'Remote: Connection closed by remote host', 'passphrase is wrong'])('%j is not damage', (line) => {
    expect(damageOf(line)).toBeNull();
  });

  it('counts each kind once with its first line, storage first, and ignores tracebacks and INFO lines', () => {
    const c = new DamageCollector();
    const log = (level: 'ERROR' | 'INFO' | 'WARNING', message: string, msgid?: string) =>
      c.observe({ type: 'log_message', level, name: 'borg.repository', message, ...(msgid ? { msgid } : {}) });
    log('ERROR', 'Archive metadata block 0e3f is missing!');
    log('ERROR', 'Data integrity error: Segment entry checksum mismatch [segment 2, offset 1]');
    log('ERROR', 'Index object count mismatch.');
    log('ERROR', 'Traceback (most recent call last):\n IntegrityError: Segment entry checksum mismatch');
    log('INFO', 'Finished full repository check, errors found.');
    expect(c.damages()).toEqual([
      { kind: 'segments', count: 2, first: 'Data integrity error: Segment entry checksum mismatch [segment 2, offset 1]' },
      { kind: 'archives', count: 1, first: 'Archive metadata block 0e3f is missing!' },
    ]);
  });
});

describe('the words of damage', () => {
  const ctx = { repository: '/Volumes/disk/repo', platform: 'darwin' as const, passphraseSupplied: true, profile: 'disk' };
  it('says what is damaged and what to do, never repairing behind the user’s back, naming the other backup', () => {
    const d = diagnosisFor('repo-damaged', ctx, 'Data integrity error: Segment entry checksum mismatch [segment 2, offset 1]', {
      count: 3,
      others: ['Storage box'],
    });
    expect(d.message).toBe(
      'Backups may not be restorable: the storage files of /Volumes/disk/repo are damaged (3 errors in its segment files or index, e.g. "Data integrity error: Segment entry checksum mismatch [segment 2, offset 1]").',
    );
    expect(d.fix).toMatch(/Read borg's documentation on `borg check --repair`/);
    expect(d.fix).toMatch(/Dandelion never repairs by itself/);
    expect(d.fix).toMatch(/restore what you need from your other backup \(Storage box\)/);
    const alone = diagnosisFor('archives-damaged', ctx, 'Archive metadata block 0e is missing!', { count: 1 });
    expect(alone.message).toMatch(/the archive metadata in \/Volumes\/disk\/repo is damaged \(1 problem in the lists of backed-up files/);
    expect(alone.fix).toMatch(/keep the original files safe/);
    const mismatch = diagnosisFor('restore-mismatch', ctx, undefined, { count: 1, example: '/Users/me/a.txt', archive: 'mbp-2026-12-02' });
    expect(mismatch.message).toBe(
      'Backups may not be restorable: a test restore from mbp-2026-12-02 gave back 1 file different from the original, although the original has not changed since: /Users/me/a.txt.',
    );
    expect(mismatch.fix).toContain('`dandelion check disk --verify-data`');
  });
});

describe('the drill’s sample', () => {
  const files: ArchiveFile[] = Array.from({ length: 1000 }, (_, i) => ({ path: `home/f${i}`, size: i * 1000 }));

  it('takes at most 100 files and 200 MB, each once, in archive order, the same for the same seed', () => {
    const a = chooseSample(files, { random: seededRandom(42) });
    expect(a).toHaveLength(100);
    expect(new Set(a.map((f) => f.path)).size).toBe(100);
    expect(a.reduce((n, f) => n + f.size, 0)).toBeLessThanOrEqual(SAMPLE_MAX_BYTES);
    expect(a.map((f) => files.indexOf(f))).toEqual([...a.map((f) => files.indexOf(f))].sort((x, y) => x - y));
    expect(chooseSample(files, { random: seededRandom(42) })).toEqual(a);
    expect(chooseSample(files, { random: seededRandom(43) })).not.toEqual(a);
  });

  it('keeps to the byte budget and never takes a file bigger than all of it', () => {
    const big = [
      { path: 'huge', size: 300 * 1024 * 1024 },
      { path: 'a', size: 150 * 1024 * 1024 },
      { path: 'b', size: 100 * 1024 * 1024 },
      { path: 'c', size: 10 },
    ];
    for (let seed = 0; seed < 20; seed++) {
      const s = chooseSample(big, { random: seededRandom(seed) });
      expect(s.map((f) => f.path)).not.toContain('huge');
      expect(s.reduce((n, f) => n + f.size, 0)).toBeLessThanOrEqual(SAMPLE_MAX_BYTES);
      expect(s.map((f) => f.path)).toContain('c');
    }
    expect(chooseSample(big, { random: () => 0.999, maxBytes: 20 }).map((f) => f.path)).toEqual(['c']);
    expect(chooseSample([], { random: Math.random })).toEqual([]);
  });

  it('takes every file when there are few, and picks different files for different seeds (not always the first)', () => {
    expect(chooseSample(files.slice(0, 30), { random: seededRandom(1) })).toHaveLength(30);
    const firsts = new Set(
      Array.from({ length: 10 }, (_, seed) => chooseSample(files, { random: seededRandom(seed), maxFiles: 1 })[0]!.path),
    );
    expect(firsts.size).toBeGreaterThan(5);
  });

  it('compares a file only when its source has the archive’s size and mtime', () => {
    const f = { size: 10n, mtimeNs: 1_700_000_000_000_000_000n };
    expect(sampleVerdict(f, { ...f })).toBe('compare');
    expect(sampleVerdict({ ...f, mtimeNs: f.mtimeNs + 1n }, f)).toBe('changed');
    expect(sampleVerdict({ ...f, size: 11n }, f)).toBe('changed');
    expect(sampleVerdict(null, f)).toBe('changed');
    expect(sampleVerdict(f, null)).toBe('missing');
  });

  it('reads borg list --json-lines: regular files with their sizes, and the items borg marks unhealthy', () => {
    const out = [
      '{"type": "d", "path": "home", "size": 0, "healthy": true}',
      '{"type": "-", "path": "home/a", "size": 12, "healthy": true}',
      '{"type": "l", "path": "home/link", "size": 0, "healthy": true}',
      '{"type": "-", "path": "home/b\\nc", "size": 5, "healthy": false}',
      'not json',
      '',
    ].join('\n');
    expect(parseItems(out)).toEqual({
      files: [
        { path: 'home/a', size: 12 },
        { path: 'home/b\nc', size: 5 },
      ],
      unhealthy: ['/home/b\nc'],
    });
  });
});

describe('argv', () => {
  it('checks repository and archives, --verify-data only when asked, and never --repair', () => {
    expect(verifyCheckArgs('/r')).toEqual(['check', '--log-json', '--progress', '--', '/r']);
    expect(verifyCheckArgs('/r', { verifyData: true })).toEqual(['check', '--log-json', '--progress', '--verify-data', '--', '/r']);
  });

  it('reads the whole archive without writing, lists it, and extracts the sample as path prefixes', () => {
    expect(dryRunExtractArgs('/r', 'a')).toEqual(['extract', '--log-json', '--dry-run', '--progress', '--', '/r::a']);
    expect(itemListArgs('/r', 'a')).toEqual(['list', '--log-json', '--json-lines', '--', '/r::a']);
    expect(sampleExtractArgs('/r', 'a', ['home/x', '/sh:odd', 're:y'])).toEqual([
      'extract',
      '--log-json',
      '--',
      '/r::a',
      'pp:home/x',
      'pp:sh:odd',
      'pp:re:y',
    ]);
  });
});

describe('status exit and the menu line', () => {
  const base = { lastRun: null, lastSuccessAt: iso(0), overdue: false };
  it('status fails (2) when a check or drill found damage, and asks attention (1) when verification is overdue', () => {
    expect(profileExit({ ...base, verifyFailed: { kind: 'drill', at: iso(0), diagnosis: null }, verifyOverdue: false })).toBe(2);
    expect(profileExit({ ...base, verifyFailed: null, verifyOverdue: true })).toBe(1);
    expect(profileExit({ ...base, verifyFailed: null, verifyOverdue: false })).toBe(0);
  });

  it('says when the backups were last verified and proven restorable, or what is wrong', () => {
    const v = { lastSuccessAt: iso(0), verifyOverdue: false, verifyFailed: null };
    expect(verificationWords({ ...v, lastVerified: iso(3), lastProven: iso(3) }, NOW)).toEqual({
      line: 'Verified 3 days ago · Restore proven 3 days ago',
      problem: null,
      level: 'ok',
    });
    expect(verificationWords({ ...v, lastVerified: iso(1), lastProven: null }, NOW).line).toBe(
      'Verified 1 day ago · Restore not proven yet',
    );
    expect(verificationWords({ ...v, lastVerified: null, lastProven: null }, NOW).line).toBeNull();
    expect(verificationWords({ ...v, lastVerified: iso(40), lastProven: iso(38), verifyOverdue: true }, NOW)).toEqual({
      line: 'Verification overdue: last verified 6 weeks ago',
      problem: null,
      level: 'attention',
    });
    const diagnosis = {
      kind: 'repo-damaged' as const,
      message: 'Backups may not be restorable: the storage files of /r are damaged.',
      fix: '',
    };
    expect(
      verificationWords({ ...v, lastVerified: iso(40), lastProven: null, verifyFailed: { kind: 'check', at: iso(0), diagnosis } }, NOW),
    ).toEqual({
      line: 'Backups may not be restorable: the last check found damage',
      problem: 'Backups may not be restorable: the storage files of /r are damaged.',
      level: 'error',
    });
  });
});

describe('the notification of damage', () => {
  const diagnosis = diagnosisFor(
    'repo-damaged',
    { repository: '/r', platform: 'darwin', passphraseSupplied: true, profile: 'p' },
    'Index object count mismatch.',
  );
  const snapshot = (verifyFailed: { kind: 'check' | 'drill'; at: string; diagnosis: typeof diagnosis } | null) =>
    ({
      profiles: [
        {
          id: 'p',
          name: 'Backup disk',
          state: 'idle',
          lastRun: null,
          lastSuccessAt: iso(0),
          nextRunAt: null,
          overdue: false,
          waitingFor: null,
          keyExportedAt: null,
          lastVerified: null,
          lastProven: null,
          verifyOverdue: false,
          verifyFailed,
          repository: '/r',
          triggers: { schedule: null, volume: null },
          run: null,
          runningElsewhere: null,
          retry: null,
        },
      ],
    }) as unknown as EngineSnapshot;
  const prefs = { success: false, warnings: false, overdue: false };

  it('tells once that backups may not be restorable, whatever the switches, and again for a new finding', () => {
    const first = notificationsFor(
      EMPTY_MEMORY,
      { type: 'snapshot', snapshot: snapshot({ kind: 'check', at: iso(0), diagnosis }), now: NOW },
      prefs,
    );
    expect(first.notify).toEqual([{ profile: 'p', kind: 'damage', title: 'Backup disk', body: diagnosis.message }]);
    expect(first.notify[0]!.body).not.toMatch(/`/);
    const again = notificationsFor(
      first.memory,
      { type: 'snapshot', snapshot: snapshot({ kind: 'check', at: iso(0), diagnosis }), now: NOW },
      prefs,
    );
    expect(again.notify).toEqual([]);
    // Remembered across a relaunch.
    const relaunched = notificationsFor(
      memoryFromJson(JSON.parse(JSON.stringify(first.memory))),
      { type: 'snapshot', snapshot: snapshot({ kind: 'check', at: iso(0), diagnosis }), now: NOW },
      prefs,
    );
    expect(relaunched.notify).toEqual([]);
    const cleared = notificationsFor(again.memory, { type: 'snapshot', snapshot: snapshot(null), now: NOW }, prefs);
    expect(cleared.memory.profiles.p?.damageAt).toBeUndefined();
    const next = notificationsFor(
      cleared.memory,
      { type: 'snapshot', snapshot: snapshot({ kind: 'drill', at: iso(-1), diagnosis }), now: NOW },
      prefs,
    );
    expect(next.notify).toHaveLength(1);
  });
});

describe('the edges mutation testing found', () => {
  const policy = { everyDays: 30, verifyData: false };
  it('counts a check that warned as passed, and neither a cancel nor an error without a damage diagnosis as conclusive', () => {
    const warned = op('check', 'warning', 1);
    expect(pickVerifyRecords([warned]).lastCheckSuccess).toBe(warned);
    const cancelled = op('check', 'cancelled', 0, 'repo-damaged');
    const bare = op('check', 'error', 0);
    expect(pickVerifyRecords([cancelled, bare, warned]).lastCheck).toBe(warned);
  });

  it('is overdue only strictly past everyDays + grace, and never without a backup to this repository', () => {
    const exactly = new Date(NOW.getTime() - 37 * DAY).toISOString();
    expect(
      verifyView({ lastCheck: null, lastCheckSuccess: null, lastDrill: null, lastDrillSuccess: null }, policy, exactly, NOW).verifyOverdue,
    ).toBe(false);
    const old = op('check', 'success', 100);
    expect(
      verifyView({ lastCheck: old, lastCheckSuccess: old, lastDrill: old, lastDrillSuccess: old }, policy, null, NOW).verifyOverdue,
    ).toBe(false);
  });

  it('reads IntegrityError by its msgid or its words, anywhere in borg’s wording of a segment, and multi-digit numbers', () => {
    expect(damageOf('Chunk 1c5e cannot be read back', 'IntegrityError')).toBe('data');
    expect(damageOf('Data integrity error: Chunk 1c5e: bad envelope')).toBe('data');
    expect(damageOf('Not a Data integrity error: x')).toBeNull();
    expect(damageOf('Segment 12 (/r/data/0/12) has IntegrityError(s) [x] - skipping.')).toBe('segments');
    expect(damageOf('segment 123 not found, but listed in the index')).toBe('segments');
    expect(damageOf("Archive 'mbp-daily' not found.")).toBe('archives');
    expect(damageOf('chunk 1c5efdf51, integrity error: x')).toBe('data');
    expect(damageOf('chunk zz, integrity error: x')).toBeNull();
    expect(damageOf('decryption of chunk 1c5e failed')).toBe('data');
  });

  it('keeps CRITICAL and WARNING lines, only data damage too, and at most 500 characters of a line', () => {
    const c = new DamageCollector();
    c.observe({
      type: 'log_message',
      level: 'CRITICAL',
      name: 'borg',
      message: 'Found defect chunks. With --repair, they would get deleted',
    });
    c.observe({ type: 'log_message', level: 'WARNING', name: 'borg', message: `chunk 1c5e, integrity error: ${'x'.repeat(600)}` });
    c.observe({ type: 'text', line: 'Index object count mismatch.' });
    const [d] = c.damages();
    expect(c.damages()).toHaveLength(1);
    expect(d).toMatchObject({ kind: 'data', count: 2, first: 'Found defect chunks. With --repair, they would get deleted' });
    const long = new DamageCollector();
    long.observe({ type: 'log_message', level: 'ERROR', name: 'borg', message: `Index object count mismatch.${'y'.repeat(600)}` });
    expect(long.damages()[0]!.first).toHaveLength(500);
  });

  it('draws the same numbers in [0, 1) for a seed, and picks either of two files across seeds', () => {
    const r = seededRandom(7);
    const xs = Array.from({ length: 5 }, () => r());
    expect(xs.map((x) => Math.round(x * 1e6))).toEqual(GOLDEN_SEED_7);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    const two = [
      { path: 'a', size: 1 },
      { path: 'b', size: 1 },
    ];
    const picked = new Set(
      Array.from({ length: 20 }, (_, seed) => chooseSample(two, { random: seededRandom(seed), maxFiles: 1 })[0]!.path),
    );
    expect([...picked].sort()).toEqual(['a', 'b']);
  });

  it('takes a path once, never a negative size, and a file that fills the budget exactly', () => {
    const s = chooseSample(
      [
        { path: 'a', size: 5 },
        { path: 'a', size: 5 },
        { path: 'neg', size: -1 },
        { path: 'b', size: 5 },
      ],
      { random: seededRandom(3), maxBytes: 10 },
    );
    expect(s.map((f) => f.path).sort()).toEqual(['a', 'b']);
  });
});
const GOLDEN_SEED_7 = [11705, 61958, 976908, 699029, 521445];
