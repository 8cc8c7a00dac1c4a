import { describe, expect, it } from 'vitest';
import { backupLine, opLine, recentActivity } from '../../src/activity.js';
import type { RunRecord } from '../../src/records.js';
import type { OpRecord } from '../../src/ops/records.js';
import type { Diagnosis } from '../../src/diagnosis.js';

const damage: Diagnosis = { kind: 'repo-damaged', message: 'Backups may not be restorable: 2 segments damaged.', fix: 'Do not prune.' };
const away: Diagnosis = { kind: 'disk-not-mounted', message: 'The backup disk is not connected.', fix: 'Connect it.' };

function run(at: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    profile: 'p',
    trigger: 'schedule',
    startedAt: at,
    finishedAt: at,
    result: 'success',
    archive: 'mbp-daily-2026-12-02',
    stats: { originalSize: 1, compressedSize: 1, deduplicatedSize: 1, nfiles: 1204, durationSeconds: 3 },
    message: null,
    diagnoses: [],
    log: '/logs/run.log',
    ...over,
  };
}

function op(kind: OpRecord['kind'], at: string, over: Partial<OpRecord> = {}): OpRecord {
  return {
    kind,
    profile: 'p',
    repository: '/repo',
    trigger: 'manual',
    startedAt: at,
    finishedAt: at,
    result: 'success',
    archive: kind === 'check' ? null : 'vm-daily-2026-12-02 10.00',
    message: null,
    diagnoses: [],
    log: null,
    ...over,
  };
}

describe('backup lines', () => {
  it('says how many files a backup saved, grouped by thousands', () => {
    const l = backupLine(run('2026-12-02T10:00:00Z'))!;
    expect(l).toMatchObject({ kind: 'backup', text: 'Backup saved 1,204 files', tone: 'ok', diagnosis: null, at: '2026-12-02T10:00:00Z' });
    expect(backupLine(run('2026-12-02T10:00:00Z', { stats: { ...run('x').stats!, nfiles: 1 } }))!.text).toBe('Backup saved 1 file');
    expect(backupLine(run('2026-12-02T10:00:00Z', { stats: null }))!.text).toBe('Backup saved');
  });

  it('shows a failure in red with its diagnosis', () => {
    const l = backupLine(run('2026-12-02T10:00:00Z', { result: 'error', stats: null, diagnoses: [away] }))!;
    expect(l).toMatchObject({ text: 'Backup failed', tone: 'error', diagnosis: away, result: 'error' });
  });

  it('never shows a hollow archive as a backup that worked', () => {
    const hollow: Diagnosis = { kind: 'hollow-backup', message: 'The archive holds almost nothing.', fix: 'Check the excludes.' };
    const l = backupLine(run('2026-12-02T10:00:00Z', { result: 'warning', diagnoses: [hollow] }))!;
    expect(l).toMatchObject({ text: 'Backup saved almost nothing', tone: 'error', diagnosis: hollow });
  });

  it('words warnings, cancels, skips by the user and interrupted runs', () => {
    const w: Diagnosis = { kind: 'source-permission', message: '2 files could not be read.', fix: '' };
    expect(backupLine(run('t', { result: 'warning', diagnoses: [w] }))).toMatchObject({
      text: 'Backup saved 1,204 files, with warnings',
      tone: 'warning',
      diagnosis: w,
    });
    expect(backupLine(run('t', { result: 'cancelled', diagnoses: [away] }))).toMatchObject({
      text: 'Backup cancelled',
      tone: 'neutral',
      diagnosis: null,
    });
    expect(backupLine(run('t', { result: 'cancelled', skippedByUser: true }))!.text).toBe('Backup skipped');
    expect(backupLine(run('t', { result: 'interrupted' }))).toMatchObject({ text: 'Backup did not finish', tone: 'warning' });
  });

  it('leaves out triggers that decided not to run', () => {
    expect(backupLine(run('t', { result: 'skipped', message: 'backed up 2 hours ago' }))).toBeNull();
  });
});

describe('restore, check and drill lines', () => {
  it('says how many files a restore brought back and from which archive', () => {
    expect(opLine(op('restore', 't', { details: { files: 3, mode: 'new-folder' } })).text).toBe(
      'Restored 3 files from vm-daily-2026-12-02 10.00',
    );
    expect(opLine(op('restore', 't', { details: { files: 1, mode: 'new-folder' } })).text).toBe(
      'Restored 1 file from vm-daily-2026-12-02 10.00',
    );
  });

  it('says what a put back kept beside the originals and left alone', () => {
    const l = opLine(
      op('restore', 't', { details: { files: 5, mode: 'in-place', keptBoth: [{ path: 'a', restoredAs: 'b' }], identical: 2 } }),
    );
    expect(l.text).toBe('Put back 5 files from vm-daily-2026-12-02 10.00 (1 kept beside a changed original, 2 already there)');
    expect(opLine(op('restore', 't', { details: { files: 5, mode: 'in-place', keptBoth: [{}, {}], identical: 0 } })).text).toBe(
      'Put back 5 files from vm-daily-2026-12-02 10.00 (2 kept beside changed originals)',
    );
  });

  it('shows a failed restore in red with its diagnosis, a cancelled one without', () => {
    expect(opLine(op('restore', 't', { result: 'error', diagnoses: [away] }))).toMatchObject({
      text: 'Restore from vm-daily-2026-12-02 10.00 failed',
      tone: 'error',
      diagnosis: away,
    });
    expect(opLine(op('restore', 't', { result: 'cancelled', diagnoses: [away] }))).toMatchObject({
      text: 'Restore from vm-daily-2026-12-02 10.00 cancelled',
      tone: 'neutral',
      diagnosis: null,
    });
    expect(opLine(op('restore', 't', { result: 'warning', details: { files: 2 } })).text).toBe(
      'Restored 2 files from vm-daily-2026-12-02 10.00, with warnings',
    );
  });

  it('tells a check that found damage from one that could not run', () => {
    expect(opLine(op('check', 't'))).toMatchObject({ text: 'Check found no damage', tone: 'ok', kind: 'check' });
    expect(opLine(op('check', 't', { details: { verifyData: true } })).text).toBe('Check read all data and found no damage');
    expect(opLine(op('check', 't', { result: 'error', diagnoses: [damage] }))).toMatchObject({
      text: 'Check found damage',
      tone: 'error',
      diagnosis: damage,
    });
    expect(opLine(op('check', 't', { result: 'error', diagnoses: [away] })).text).toBe('Check could not run');
    expect(opLine(op('check', 't', { result: 'cancelled' })).text).toBe('Check cancelled');
  });

  it('says how many files a drill compared, and what it could not compare', () => {
    const d = { files: 1204, bytes: 5e6, sampled: 100, matched: 100, skippedChanged: 0, mismatched: [] };
    expect(opLine(op('drill', 't', { details: d })).text).toBe('Restore drill compared 100 files');
    expect(opLine(op('drill', 't', { details: { ...d, matched: 97, skippedChanged: 3 } })).text).toBe(
      'Restore drill compared 97 files (3 changed since the backup, not compared)',
    );
    expect(opLine(op('drill', 't', { details: { ...d, sampled: 0, matched: 0 } })).text).toBe('Restore drill read 1,204 files back');
    expect(opLine(op('drill', 't', {})).text).toBe('Restore drill passed');
  });

  it('says how many files a failed drill found different, else that it found damage or failed', () => {
    const mismatch: Diagnosis = { kind: 'restore-mismatch', message: '1 restored file differs.', fix: '' };
    const d = { files: 10, bytes: 1, sampled: 10, matched: 9, skippedChanged: 0, mismatched: ['/a'] };
    expect(opLine(op('drill', 't', { result: 'error', details: d, diagnoses: [mismatch] }))).toMatchObject({
      text: 'Restore drill found 1 file that differs from the original',
      tone: 'error',
      diagnosis: mismatch,
    });
    expect(opLine(op('drill', 't', { result: 'error', details: { ...d, mismatched: ['/a', '/b'] } })).text).toBe(
      'Restore drill found 2 files that differ from the original',
    );
    expect(opLine(op('drill', 't', { result: 'error', diagnoses: [damage] })).text).toBe('Restore drill found damage');
    expect(opLine(op('drill', 't', { result: 'error', diagnoses: [away] })).text).toBe('Restore drill failed');
    expect(opLine(op('drill', 't', { result: 'cancelled' })).text).toBe('Restore drill cancelled');
  });
});

describe('what a line leaves out', () => {
  it('never shows a diagnosis beside a success, whatever the record carries', () => {
    expect(backupLine(run('t', { diagnoses: [away] }))!.diagnosis).toBeNull();
    expect(opLine(op('check', 't', { diagnoses: [away] })).diagnosis).toBeNull();
    expect(opLine(op('check', 't', { result: 'warning', diagnoses: [away] }))).toMatchObject({
      text: 'Check found no damage',
      tone: 'warning',
      diagnosis: away,
    });
  });

  it('calls it damage when any diagnosis of a failed check or drill is damage', () => {
    expect(opLine(op('check', 't', { result: 'error', diagnoses: [away, damage] })).text).toBe('Check found damage');
    expect(opLine(op('drill', 't', { result: 'error', diagnoses: [away, damage] })).text).toBe('Restore drill found damage');
    for (const kind of ['archives-damaged', 'data-damaged'] as const) {
      const d: Diagnosis = { kind, message: 'damaged', fix: '' };
      expect(opLine(op('check', 't', { result: 'error', diagnoses: [d] })).text).toBe('Check found damage');
      expect(opLine(op('drill', 't', { result: 'error', diagnoses: [d] })).text).toBe('Restore drill found damage');
    }
  });

  it('does not believe counts that are not counts', () => {
    for (const bad of ['3', Number.NaN, Number.POSITIVE_INFINITY, -2, null])
      expect(opLine(op('restore', 't', { details: { files: bad, mode: 'new-folder' } })).text).toBe(
        'Restored 0 files from vm-daily-2026-12-02 10.00',
      );
    expect(opLine(op('restore', 't', { details: { files: 0, mode: 'new-folder' } })).text).toBe(
      'Restored 0 files from vm-daily-2026-12-02 10.00',
    );
    expect(opLine(op('drill', 't', { details: { files: '12', matched: '3' } })).text).toBe('Restore drill passed');
    expect(opLine(op('drill', 't', { details: { files: 0, matched: 0 } })).text).toBe('Restore drill read 0 files back');
  });

  it('names no archive for a restore whose record has none', () => {
    expect(opLine(op('restore', 't', { archive: null, details: { files: 2 } })).text).toBe('Restored 2 files');
    expect(opLine(op('restore', 't', { archive: null, result: 'error' })).text).toBe('Restore failed');
  });
});

describe('recent activity', () => {
  it('merges backups and operations newest first, by when each ended, and keeps at most the limit', () => {
    const lines = recentActivity(
      [run('2026-12-02T09:00:00Z'), run('2026-12-01T21:00:00Z', { result: 'skipped' }), run('2026-12-01T09:00:00Z')],
      [op('restore', '2026-12-02T10:04:00Z', { details: { files: 3 } }), op('check', '2026-12-01T21:00:00Z')],
      3,
    );
    expect(lines.map((l) => [l.kind, l.at])).toEqual([
      ['restore', '2026-12-02T10:04:00Z'],
      ['backup', '2026-12-02T09:00:00Z'],
      ['check', '2026-12-01T21:00:00Z'],
    ]);
    expect(recentActivity([run('2026-12-02T09:00:00Z')], [], 0)).toEqual([]);
  });

  it('puts a check that ended with its backup after the backup it followed', () => {
    const lines = recentActivity([run('2026-12-02T09:00:00Z')], [op('check', '2026-12-02T09:00:00Z')]);
    expect(lines.map((l) => l.kind)).toEqual(['check', 'backup']);
    const three = recentActivity(
      [run('2026-12-02T09:00:00Z'), run('2026-12-02T08:00:00Z')],
      [op('check', '2026-12-02T09:00:00Z'), op('drill', '2026-12-02T08:00:00Z')],
    );
    expect(three.map((l) => l.kind)).toEqual(['check', 'backup', 'drill', 'backup']);
    const other = recentActivity([], [op('drill', '2026-12-02T09:00:00Z'), op('check', '2026-12-02T09:00:00Z')]);
    expect(other.map((l) => l.kind)).toEqual(['drill', 'check']);
  });

  it('orders by the end, not the start, and uses the start when the end is missing', () => {
    const long = run('2026-12-02T08:00:00Z', { finishedAt: '2026-12-02T11:00:00Z' });
    const lines = recentActivity([long], [op('check', '2026-12-02T10:00:00Z'), op('drill', '2026-12-02T12:00:00Z', { finishedAt: '' })]);
    expect(lines.map((l) => l.kind)).toEqual(['drill', 'backup', 'check']);
    expect(lines[0]!.at).toBe('2026-12-02T12:00:00Z');
  });

  it('uses the number words it is given', () => {
    const [l] = recentActivity([run('2026-12-02T09:00:00Z')], [], 10, (n) => `#${n}`);
    expect(l!.text).toBe('Backup saved #1204 files');
  });
});
