/**
 * The window's first line, as Time Machine's menu leads with one sentence: is everything safe,
 * and if not, how many backups need the user.
 */
import type { AppSnapshot } from '../shared/types.js';
import { cardState } from './card-state.js';

export type GlanceTone = 'ok' | 'running' | 'attention' | 'error' | 'none';

/**
 * Every sentence is whole and counts what it names: one profile is named ("Storage box has not
 * been backed up yet"), several are counted ("2 backups have not finished yet"), never "some".
 */
export function glance(s: AppSnapshot): { text: string; tone: GlanceTone } {
  const ps = s.profiles;
  const states = ps.map(cardState);
  const only = ps.length === 1;
  const running = ps.filter((_, i) => states[i] === 'running');
  if (running.length === 1) return { text: `Backing up ${running[0]!.name}…`, tone: 'running' };
  if (running.length > 1) return { text: `Running ${running.length} backups…`, tone: 'running' };
  const failed = ps.filter((_, i) => states[i] === 'error');
  const needs = ps.filter((_, i) => states[i] === 'warning' || states[i] === 'overdue');
  // As the menu-bar icon: a broken config.json or a missing borg stops every backup (error); missing
  // Full Disk Access leaves some folders out (attention).
  const appProblem = s.configErrors.length > 0 || s.borg.state === 'missing';
  const fdaMissing = s.app.platform === 'darwin' && s.app.fullDiskAccess === 'missing';
  if (failed.length)
    return {
      text: only
        ? 'The last backup failed'
        : failed.length === 1
          ? `The last backup of ${failed[0]!.name} failed`
          : `${failed.length} of ${ps.length} backups failed`,
      tone: 'error',
    };
  const damaged = ps.filter((_, i) => states[i] === 'unrestorable');
  if (damaged.length)
    return {
      text: only
        ? 'Your backups may not be restorable'
        : damaged.length === 1
          ? `The backups of ${damaged[0]!.name} may not be restorable`
          : `${damaged.length} of ${ps.length} backups may not be restorable`,
      tone: 'error',
    };
  if (appProblem) return { text: 'Dandelion needs your attention', tone: 'error' };
  if (fdaMissing) return { text: 'Dandelion needs Full Disk Access', tone: 'attention' };
  if (needs.length)
    return {
      text: only
        ? 'Your backup needs attention'
        : needs.length === 1
          ? `${needs[0]!.name} needs attention`
          : `${needs.length} backups need attention`,
      tone: 'attention',
    };
  const waiting = ps.filter((_, i) => states[i] === 'waiting');
  if (waiting.length === 1) return { text: `Waiting for ${waiting[0]!.triggers.volume ?? 'the backup disk'}`, tone: 'attention' };
  if (waiting.length > 1) return { text: `${waiting.length} backups are waiting for their disks`, tone: 'attention' };
  if (ps.length === 0) return { text: 'No backups set up', tone: 'none' };
  if (states.every((st) => st === 'never')) return { text: only ? 'Not backed up yet' : 'Nothing backed up yet', tone: 'none' };
  const unfinished = ps.filter((_, i) => states[i] === 'never' || states[i] === 'cancelled' || states[i] === 'interrupted');
  if (unfinished.length === 1) {
    const p = unfinished[0]!;
    const state = cardState(p);
    const ended = state === 'interrupted' ? 'did not finish' : 'was cancelled';
    const text = only
      ? `The last backup ${ended}`
      : state === 'never'
        ? `${p.name} has not been backed up yet`
        : `The last backup of ${p.name} ${ended}`;
    return { text, tone: 'attention' };
  }
  if (unfinished.length > 1) return { text: `${unfinished.length} backups have not finished yet`, tone: 'attention' };
  return { text: only ? 'Your backup is up to date' : 'All backups are up to date', tone: 'ok' };
}
