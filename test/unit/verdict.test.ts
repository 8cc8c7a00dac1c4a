/**
 * The outcome of a run beyond borg's exit code: a hollow archive, a step after create that failed,
 * and the words each stage may use (a saved archive is never "not saved"; a test has no checkpoint).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterCreateOutcome, HOLLOW_BELOW_PERCENT, hollowVerdict, mayThinOut, spaceNumbers } from '../../src/jobs/verdict.js';
import { diagnosisFor } from '../../src/messages.js';
import { DiagnosisCollector } from '../../src/borg/errors.js';
import type { ClassifyContext, ErrorKind } from '../../src/diagnosis.js';
import { isSuccessful, type RunRecord } from '../../src/records.js';
import { ROOT } from '../helpers/env.js';

const local: ClassifyContext = { repository: '/Volumes/backup-disk/repo', platform: 'linux', passphraseSupplied: true, profile: 'disk' };
const remote: ClassifyContext = { ...local, repository: 'ssh://u123@box.example.invalid:23/./repo' };
const INSUFFICIENT = 'Insufficient free space to complete transaction (required: 545.43 MB, available: 104.74 MB).';

describe('hollowVerdict', () => {
  it('an archive without files is hollow, whatever came before', () => {
    expect(hollowVerdict(0, null)).toEqual({ kind: 'empty' });
    expect(hollowVerdict(0, 0)).toEqual({ kind: 'empty' });
    expect(hollowVerdict(0, 5000)).toEqual({ kind: 'empty' });
    expect(hollowVerdict(-1, 5000)).toEqual({ kind: 'empty' });
  });

  it('without a previous archive (or one without files) any files are fine', () => {
    expect(hollowVerdict(1, null)).toBeNull();
    expect(hollowVerdict(1, 0)).toBeNull();
    expect(hollowVerdict(1, -3)).toBeNull();
  });

  it('fewer than 10 % of the previous archive is hollow; exactly 10 % is not', () => {
    expect(HOLLOW_BELOW_PERCENT).toBe(10);
    expect(hollowVerdict(99, 1000)).toEqual({ kind: 'shrunk', files: 99, previousFiles: 1000, percent: 10 });
    expect(hollowVerdict(100, 1000)).toBeNull();
    expect(hollowVerdict(101, 1000)).toBeNull();
    expect(hollowVerdict(1, 11)).toEqual({ kind: 'shrunk', files: 1, previousFiles: 11, percent: 10 });
    expect(hollowVerdict(1, 10)).toBeNull();
    expect(hollowVerdict(5000, 1000)).toBeNull();
  });

  it('takes another threshold', () => {
    expect(hollowVerdict(49, 100, 50)).toEqual({ kind: 'shrunk', files: 49, previousFiles: 100, percent: 50 });
    expect(hollowVerdict(50, 100, 50)).toBeNull();
  });
});

describe('mayThinOut', () => {
  it('prunes only after an archive that holds what it should, in a run that has not failed', () => {
    expect(mayThinOut('success', true, null)).toBe(true);
    expect(mayThinOut('warning', true, null)).toBe(true);
    expect(mayThinOut('success', false, null)).toBe(false);
    expect(mayThinOut('success', true, { kind: 'empty' })).toBe(false);
    expect(mayThinOut('warning', true, { kind: 'shrunk', files: 1, previousFiles: 100, percent: 10 })).toBe(false);
    expect(mayThinOut('error', true, null)).toBe(false);
    expect(mayThinOut('cancelled', true, null)).toBe(false);
    expect(mayThinOut('skipped', true, null)).toBe(false);
  });
});

describe('isSuccessful', () => {
  const rec = (result: RunRecord['result'], kinds: ErrorKind[] = []): RunRecord => ({
    profile: 'p',
    trigger: 'manual',
    startedAt: '2026-12-03T00:00:00Z',
    finishedAt: '2026-12-03T00:01:00Z',
    result,
    archive: 'a',
    stats: null,
    message: null,
    diagnoses: kinds.map((kind) => ({ kind, message: '', fix: '' })),
    log: null,
  });

  it('a hollow archive is not a successful backup; other warnings are', () => {
    expect(isSuccessful(rec('success'))).toBe(true);
    expect(isSuccessful(rec('warning', ['source-permission']))).toBe(true);
    expect(isSuccessful(rec('warning', ['compact-failed']))).toBe(true);
    expect(isSuccessful(rec('warning', ['source-missing', 'hollow-backup']))).toBe(false);
    expect(isSuccessful(rec('error'))).toBe(false);
    expect(isSuccessful(rec('cancelled'))).toBe(false);
  });
});

describe('afterCreateOutcome', () => {
  it('a failed prune or compact is "failed" (a warning for the run), borg’s warning stays one, a cancel stays one', () => {
    expect(afterCreateOutcome('success', false)).toBe('ok');
    expect(afterCreateOutcome('warning', false)).toBe('warned');
    expect(afterCreateOutcome('error', false)).toBe('failed');
    expect(afterCreateOutcome('error', true)).toBe('cancelled');
    expect(afterCreateOutcome('warning', true)).toBe('cancelled');
    expect(afterCreateOutcome('success', true)).toBe('cancelled');
  });
});

describe('spaceNumbers', () => {
  it("reads borg's required and available figures", () => {
    expect(spaceNumbers(INSUFFICIENT)).toEqual({ required: '545.43 MB', available: '104.74 MB' });
    expect(spaceNumbers('Remote: Insufficient free space (required: 1.2 GB , available: 3 kB )')).toEqual({
      required: '1.2 GB',
      available: '3 kB',
    });
    expect(spaceNumbers('No space left on device')).toBeNull();
    expect(spaceNumbers('')).toBeNull();
  });
});

describe('the words of a hollow backup', () => {
  it('an empty archive names the sources and the likely causes, and says prune did not run', () => {
    const d = diagnosisFor('hollow-backup', local, '/home/me/Documents', { archive: 'mbp-daily-2026-12-03' });
    expect(d.kind).toBe('hollow-backup');
    expect(d.message).toBe('Nothing was backed up: mbp-daily-2026-12-03 holds no files, although the sources exist (/home/me/Documents).');
    expect(d.fix).toContain('an exclude that covers the folder');
    expect(d.fix).toContain('a disk not mounted behind it');
    expect(d.fix).toContain('Old archives were not pruned');
  });

  it('a shrunk archive names both counts and the threshold', () => {
    const d = diagnosisFor('hollow-backup', local, '/src', { count: 3, previousFiles: 1200, percent: 10 });
    expect(d.message).toBe('Only 3 files were backed up, fewer than 10 % of the 1,200 files in the previous backup (/src).');
    expect(diagnosisFor('hollow-backup', local, undefined, {}).message).toBe(
      'Nothing was backed up: the new archive holds no files, although the sources exist.',
    );
  });
});

describe('a step after create that failed says the archive was saved', () => {
  const after: ClassifyContext = { ...local, stage: 'after-create' };

  it('compact on a disk without room: saved, what borg needs free and what is free', () => {
    const cause = diagnosisFor('disk-full', after, INSUFFICIENT);
    expect(cause.message).not.toContain('not saved');
    const d = diagnosisFor('compact-failed', after, INSUFFICIENT, { archive: 'a-1', cause });
    expect(d.message).toBe(
      'The backup was saved as a-1, but the space of deleted archives could not be given back: borg compact needs 545.43 MB free on the disk holding /Volumes/backup-disk/repo, and 104.74 MB is free.',
    );
    expect(d.fix).toContain('until 545.43 MB is free');
    expect(d.fix).toContain('Every archive is intact');
    expect(d.detail).toBe(INSUFFICIENT);
  });

  it('compact failing for another reason carries that reason, worded for after create', () => {
    const cause = diagnosisFor('connection-lost', { ...after, repository: remote.repository }, 'Connection closed by remote host');
    const d = diagnosisFor('compact-failed', after, cause.detail, { archive: 'a-1', cause });
    expect(d.message).toBe(
      'The backup was saved as a-1, but the space of deleted archives could not be given back (borg compact): the connection to box.example.invalid (port 23) was lost.',
    );
    expect(d.fix).not.toMatch(/checkpoint|not saved/);
    expect(d.fix).toContain('the next backup tries again');
  });

  it('prune says old archives were not thinned out, and keeps borg’s reason', () => {
    const cause = diagnosisFor('lock-timeout', after);
    const d = diagnosisFor('prune-failed', after, undefined, { archive: 'a-2', cause });
    expect(d.message).toBe(
      'The backup was saved as a-2, but old archives were not thinned out: /Volumes/backup-disk/repo is locked by another borg process.',
    );
    expect(d.fix).toContain('borg break-lock');
    const full = diagnosisFor('prune-failed', after, INSUFFICIENT, { cause: diagnosisFor('disk-full', after, INSUFFICIENT) });
    expect(full.message).toMatch(
      /^The backup was saved, but old archives were not thinned out: the backup disk is full: .*104\.74 MB was free\)\.$/,
    );
    expect(full.message).not.toContain('not saved');
    expect(diagnosisFor('prune-failed', after).message).toBe('The backup was saved, but old archives were not thinned out: borg failed');
    expect(diagnosisFor('compact-failed', after).fix).toBe(
      'Open the log for the full borg output. Every archive is intact; the next backup tries again.',
    );
  });

  it('a full disk during create still says the backup was not saved', () => {
    expect(diagnosisFor('disk-full', local, INSUFFICIENT).message).toContain(', so this backup was not saved.');
    expect(diagnosisFor('disk-full', local, 'The storage quota (1 GB) has been exceeded').message).toContain(
      'quota of 1 GB, so this backup was not saved.',
    );
    expect(diagnosisFor('disk-full', after, 'The storage quota (1 GB) has been exceeded').message).toMatch(/quota of 1 GB\.$/);
  });

  it('"resumes from the last checkpoint" only where create did not finish and left a checkpoint', () => {
    for (const kind of ['connection-lost', 'disk-removed', 'cancelled', 'killed'] as const) {
      expect(diagnosisFor(kind, { ...local, checkpoint: true }).fix, kind).toMatch(/resumes from (the|its) last checkpoint/);
      // A create killed before borg wrote its first checkpoint has nothing to resume from.
      expect(diagnosisFor(kind, local).fix, kind).not.toMatch(/checkpoint/);
      expect(diagnosisFor(kind, { ...local, checkpoint: false }).fix, kind).not.toMatch(/checkpoint/);
      expect(diagnosisFor(kind, { ...local, stage: 'after-create', checkpoint: true }).fix, kind).not.toMatch(/checkpoint/);
      expect(diagnosisFor(kind, { ...local, stage: 'probe', checkpoint: true }).fix, kind).not.toMatch(/checkpoint/);
    }
    expect(diagnosisFor('killed', { ...local, stage: 'after-create' }, 'SIGKILL').message).toBe(
      'borg was stopped from outside (SIGKILL) before it finished; nobody cancelled it in Dandelion.',
    );
  });

  it('a cancel after the archive was saved says so', () => {
    const d = diagnosisFor('cancelled', local, undefined, { archive: 'a-3' });
    expect(d.message).toBe('The run was cancelled after the backup was saved as a-3; old archives were not thinned out or compacted.');
    expect(d.fix).toBe('Nothing is lost: the next run prunes and compacts.');
  });
});

/** ssh's stderr as it reaches Test Connection; recorded here with OpenSSH on Debian, the -macos ones in macOS's wording. */
function sshSays(name: string, ctx: ClassifyContext) {
  const c = new DiagnosisCollector(ctx);
  const text = fs.readFileSync(path.join(ROOT, 'test/fixtures/ssh', `${name}.stderr`), 'utf8');
  for (const line of text.split('\n')) if (line.trim()) c.observe({ type: 'text', line: line.trim() });
  return c.finish(2).diagnoses[0]!; // as run.ts reads ssh: 255 would read as a signal
}

describe('Test Connection names the cause', () => {
  const probe: ClassifyContext = { ...remote, stage: 'probe' };

  it('a host name that does not resolve', () => {
    for (const f of ['dns-not-found', 'dns-not-found-macos']) {
      const d = sshSays(f, probe);
      expect(d.kind).toBe('connection-lost');
      expect(d.message, f).toBe('The server name box.example.invalid was not found (DNS could not resolve it).');
      expect(d.fix).toBe('Check the host name in the repository location for a typo, and that this computer is online.');
    }
  });

  it('a refused port', () => {
    const d = sshSays('refused', probe);
    expect(d.message).toBe('box.example.invalid refused the connection on port 23: nothing listens for SSH there.');
    expect(d.fix).toContain('storage boxes often use 23');
  });

  it('a server that does not answer', () => {
    for (const f of ['timed-out', 'timed-out-macos']) {
      const d = sshSays(f, probe);
      expect(d.message, f).toBe('box.example.invalid (port 23) did not answer: the connection timed out.');
      expect(d.fix).toContain('firewall');
    }
  });

  it('a network without a route', () => {
    expect(sshSays('no-route', probe).message).toBe('box.example.invalid (port 23) cannot be reached from this network.');
  });

  it('no borg on the server, in bash’s and zsh’s words', () => {
    for (const f of ['borg-not-found-bash', 'borg-not-found-zsh']) {
      const d = sshSays(f, probe);
      expect(d.kind, f).toBe('borg-missing');
      expect(d.message).toBe('BorgBackup is not installed on the server box.example.invalid (port 23).');
    }
  });

  it('none of them speaks of a run or a checkpoint', () => {
    for (const f of ['dns-not-found', 'refused', 'timed-out', 'no-route', 'borg-not-found-bash']) {
      const d = sshSays(f, probe);
      expect(`${d.message} ${d.fix}`, f).not.toMatch(/checkpoint|next run|not saved/);
    }
  });

  it('a connection lost mid-run promises the checkpoint only when borg left one', () => {
    const d = diagnosisFor('connection-lost', { ...remote, checkpoint: true }, 'Connection closed by remote host');
    expect(d.message).toBe('The connection to box.example.invalid (port 23) was lost.');
    expect(d.fix).toBe(
      'Check the network and that the server is up and has borg installed; the next run resumes from the last checkpoint.',
    );
    expect(diagnosisFor('connection-lost', remote, 'Connection closed by remote host').fix).toBe(
      'Check the network and that the server is up and has borg installed.',
    );
  });
});
