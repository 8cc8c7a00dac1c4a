import { describe, expect, it } from 'vitest';
import { profileExit, statusExit, STATUS_EXIT } from '../../src/status-exit.js';
import type { ProfileStatus } from '../../src/engine/status.js';
import type { RunResult } from '../../src/records.js';
import { count } from '../../src/format.js';
import { isCheckpoint } from '../../src/repo/archives.js';
import { archiveNameFor, DEFAULT_ARCHIVE_NAME } from '../../src/profiles/schema.js';
import { archiveNameFor as draftArchiveNameFor } from '../../renderer/preferences/draft.js';
import { endsRun } from '../../src/cli-follow.js';

const SUCCESS_AT = '2026-12-01T10:00:00.000Z';

function p(result: RunResult | null, opts: { overdue?: boolean; lastSuccessAt?: string | null } = {}) {
  const lastRun: ProfileStatus['lastRun'] = result
    ? { trigger: 'manual', startedAt: SUCCESS_AT, finishedAt: SUCCESS_AT, result, archive: null, message: null }
    : null;
  return { lastRun, lastSuccessAt: opts.lastSuccessAt === undefined ? SUCCESS_AT : opts.lastSuccessAt, overdue: opts.overdue ?? false };
}

describe('the exit code of dandelion status', () => {
  it('is 0 when the last backup succeeded and the profile is on time', () => {
    expect(profileExit(p('success'))).toBe(STATUS_EXIT.ok);
  });

  it('is 1 (attention) when a profile is overdue, never backed up, or its last backup warned', () => {
    expect(profileExit(p('success', { overdue: true }))).toBe(1);
    expect(profileExit(p(null, { lastSuccessAt: null }))).toBe(1);
    expect(profileExit(p('cancelled', { lastSuccessAt: null }))).toBe(1);
    expect(profileExit(p('warning'))).toBe(1);
    expect(profileExit({ ...p('success'), keyOnlyHere: true })).toBe(1);
    expect(profileExit({ ...p('success'), keyOnlyHere: false })).toBe(0);
  });

  it('is 2 (failing) when the last backup ended in an error, even when overdue too', () => {
    expect(profileExit(p('error'))).toBe(2);
    expect(profileExit(p('error', { overdue: true, lastSuccessAt: null }))).toBe(2);
  });

  it('does not count a cancel after a recent success as trouble', () => {
    expect(profileExit(p('cancelled'))).toBe(0);
    expect(profileExit(p('skipped'))).toBe(0);
  });

  it('is 1 (attention) when the last backup was interrupted: nobody chose it, and it saved nothing', () => {
    expect(profileExit(p('interrupted'))).toBe(1);
  });

  it('is the worst of the profiles, and attention when there is none', () => {
    expect(statusExit([p('success'), p('success')])).toBe(0);
    expect(statusExit([p('success'), p('warning')])).toBe(1);
    expect(statusExit([p('error'), p('warning'), p('success')])).toBe(2);
    expect(statusExit([])).toBe(1);
  });
});

describe('CLI words', () => {
  it('"1 file", "0 files", "2 files"', () => {
    expect(count(1, 'file')).toBe('1 file');
    expect(count(0, 'file')).toBe('0 files');
    expect(count(2, 'file')).toBe('2 files');
    expect(count(1, 'argument')).toBe('1 argument');
  });

  it('knows borg’s checkpoint names', () => {
    expect(isCheckpoint('host-daily-2026-12-01T00:00:00.checkpoint')).toBe(true);
    expect(isCheckpoint('host-daily-2026-12-01T00:00:00.checkpoint.2')).toBe(true);
    expect(isCheckpoint('host-daily-2026-12-01T00:00:00')).toBe(false);
    expect(isCheckpoint('checkpoint-2026')).toBe(false);
  });

  it('knows the last line of a run’s log', () => {
    expect(endsRun(['2026-12-03T06:00:00.000Z Dandelion: run finished: success, archive x'])).toBe(true);
    expect(endsRun(['2026-12-03T06:00:00.000Z Dandelion: borg create finished: success (exit 0)'])).toBe(false);
  });
});

describe('archive names', () => {
  it('new profiles get a name true for every schedule, the same in the app and the engine', () => {
    expect(archiveNameFor('offsite')).toBe('{hostname}-offsite_{now}');
    expect(archiveNameFor('offsite')).not.toMatch(/daily|hourly/);
    expect(draftArchiveNameFor('offsite')).toBe(archiveNameFor('offsite'));
  });

  it('a profile without one keeps meaning the old default', () => {
    expect(DEFAULT_ARCHIVE_NAME).toBe('{hostname}-daily-{now}');
  });
});
