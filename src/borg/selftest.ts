/**
 * borg starts every command with a self-test: 33 unit tests of its hash index, crypto and chunker that
 * catch a broken build or package. It costs ~0.2 s of CPU each time on a 2-core machine, close to half of
 * a `borg list` (docs/benchmarks.md), and a backup runs three to four borg commands. borg's documentation
 * (BORG_SELFTEST) allows turning it off "after at least doing a one-time test ... when installing or
 * upgrading". So Dandelion lets it run on the first command of a borg binary (its real path, size and
 * mtime: an upgrade is a new binary), again at least once a day, and turns it off in between.
 */

/** How long a passed self-test vouches for a binary. A library upgraded under borg is caught within this. */
export const SELFTEST_VALID_MS = 24 * 60 * 60 * 1000;

/** A record from the future (the clock was set back) vouches for nothing. */
const CLOCK_SLACK_MS = 5 * 60 * 1000;

/** Whether borg's next command should run its self-test, given when it last passed for this binary. */
export function selftestDue(passedAt: number | undefined, now: number): boolean {
  if (passedAt === undefined || !Number.isFinite(passedAt)) return true;
  return now - passedAt >= SELFTEST_VALID_MS || passedAt - now > CLOCK_SLACK_MS;
}

/**
 * Whether a command that ran with the self-test proves it passed: borg exits 2 (an error) right after a
 * failed self-test, before it does anything, so only a command that got to the end of its work counts:
 * success or a warning, neither cancelled nor killed.
 */
export function selftestProven(r: { level: 'success' | 'warning' | 'error'; cancelled: boolean; signal: string | null }): boolean {
  return r.level !== 'error' && !r.cancelled && r.signal === null;
}
