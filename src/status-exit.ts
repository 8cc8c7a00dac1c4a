/**
 * The exit code of `dandelion status`, for a monitor (cron mail, Nagios, a shell prompt): one pure
 * decision over the report, so the words printed and the code returned never disagree.
 *
 *   0  every profile is backed up and on time
 *   1  attention: a profile is overdue, was never backed up, its last backup had warnings or did not finish, or
 *      its repository key (keyfile mode) exists only on this computer, or its verification (check, drill) is
 *      overdue; or there is no profile at all
 *   2  failing: a profile's last backup ended in an error, or its last check or restore drill found damage
 *      (backups may not be restorable)
 *
 * A cancelled or skipped last run is not a failure by itself (the user chose it): it becomes attention once
 * the profile is overdue. An interrupted one (the process was killed, the computer lost power) is attention:
 * nobody chose it, and what it was saving was not saved.
 */
import type { ProfileStatus } from './engine/status.js';

export const STATUS_EXIT = { ok: 0, attention: 1, failing: 2 } as const;
export type StatusExit = (typeof STATUS_EXIT)[keyof typeof STATUS_EXIT];

type Facts = Pick<ProfileStatus, 'lastRun' | 'lastSuccessAt' | 'overdue'> &
  Partial<Pick<ProfileStatus, 'verifyOverdue' | 'verifyFailed'>> & {
    /** A keyfile-mode key never exported: lose this computer and the backups go with it. */
    keyOnlyHere?: boolean;
  };

/** What one profile asks of the person reading status. */
export function profileExit(p: Facts): StatusExit {
  if (p.lastRun?.result === 'error' || p.verifyFailed) return STATUS_EXIT.failing;
  if (
    p.overdue ||
    p.verifyOverdue ||
    p.lastSuccessAt === null ||
    p.lastRun?.result === 'warning' ||
    p.lastRun?.result === 'interrupted' ||
    p.keyOnlyHere
  )
    return STATUS_EXIT.attention;
  return STATUS_EXIT.ok;
}

/** The worst of the profiles; attention when there are none. */
export function statusExit(profiles: readonly Facts[]): StatusExit {
  if (!profiles.length) return STATUS_EXIT.attention;
  return profiles.reduce<StatusExit>((worst, p) => Math.max(worst, profileExit(p)) as StatusExit, STATUS_EXIT.ok);
}
