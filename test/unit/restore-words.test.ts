import { describe, expect, it } from 'vitest';
import { diagnosisFor } from '../../src/messages.js';

const ctx = { repository: '/Volumes/disk/repo', platform: 'darwin' as const, passphraseSupplied: false, profile: 'p' };
const facts = { operation: 'restore' as const, archive: 'mbp-daily-2026-12-02', target: '/Users/me/Downloads' };

describe('what a restore says', () => {
  it('names the one path the archive does not hold, or counts several', () => {
    expect(diagnosisFor('restore-path-missing', ctx, undefined, { ...facts, paths: ['Users/me/x.txt'] }).message).toBe(
      '"/Users/me/x.txt" is not in the backup mbp-daily-2026-12-02; nothing was restored.',
    );
    expect(diagnosisFor('restore-path-missing', ctx, undefined, { ...facts, paths: ['a', 'b', 'c', 'd'] }).message).toBe(
      '4 paths are not in the backup mbp-daily-2026-12-02: "/a", "/b", "/c" and 1 more; nothing was restored.',
    );
  });

  it('says how many members were left out, singular and plural', () => {
    expect(diagnosisFor('restore-refused', ctx, undefined, { ...facts, count: 1, paths: ['lnk/x'] }).message).toBe(
      '1 item in mbp-daily-2026-12-02 would have been written outside the restore folder and was left out: "/lnk/x".',
    );
    expect(diagnosisFor('restore-refused', ctx, undefined, { ...facts, count: 2, paths: ['a', 'b'] }).message).toMatch(
      /^2 items .* were left out: "\/a", "\/b"\.$/,
    );
  });

  it('names the target that cannot be written or is full, and the archive that is gone', () => {
    expect(diagnosisFor('restore-target-unwritable', ctx, 'EROFS: read-only file system', facts).message).toBe(
      'Files cannot be written to /Users/me/Downloads (EROFS: read-only file system); nothing was restored.',
    );
    expect(
      diagnosisFor('restore-target-full', ctx, '[Errno 28] No space left on device', { ...facts, summary: '1.2 MB free' }).message,
    ).toBe('The disk holding /Users/me/Downloads is full (1.2 MB free); the restore was stopped and what it had written was removed.');
    expect(diagnosisFor('archive-missing', ctx, undefined, facts).message).toBe(
      'The backup "mbp-daily-2026-12-02" is no longer in /Volumes/disk/repo; nothing was restored.',
    );
  });

  it('words busy, cancelled, disk not connected and file warnings for a restore, not a backup', () => {
    expect(diagnosisFor('cancelled', ctx, undefined, facts).message).toMatch(/^The restore was cancelled/);
    expect(diagnosisFor('busy', ctx, 'backup of "p" (pid 12)', facts).message).toBe(
      '/Volumes/disk/repo is busy: backup of "p" (pid 12), so the restore could not start.',
    );
    expect(diagnosisFor('disk-not-mounted', ctx, undefined, facts).fix).toBe(
      'Connect the backup disk (or mount the network share) and restore again.',
    );
    const warned = diagnosisFor('unknown', ctx, 'a/b: open: [Errno 13] Permission denied', {
      ...facts,
      count: 2,
      summary: 'could not be restored as they were (see the log)',
    });
    expect(warned.message).toBe('2 files could not be restored as they were (see the log), e.g. a/b.');
    expect(warned.fix).toBe('See the log for the full list; everything else was restored.');
  });
});
