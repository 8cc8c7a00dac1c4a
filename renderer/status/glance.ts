/**
 * The window's first line, as Time Machine's menu leads with one sentence: is everything safe,
 * and if not, how many backups need the user.
 */
import type { AppSnapshot } from '../shared/types.js';
import { cardState } from './card-state.js';

export type GlanceTone = 'ok' | 'running' | 'attention' | 'error' | 'none';

export function glance(s: AppSnapshot): { text: string; tone: GlanceTone } {
  const ps = s.profiles;
  const states = ps.map(cardState);
  const running = ps.filter((_, i) => states[i] === 'running');
  if (running.length === 1) return { text: `Backing up ${running[0]!.name}…`, tone: 'running' };
  if (running.length > 1) return { text: `Backing up ${running.length} profiles…`, tone: 'running' };
  const failed = states.filter((st) => st === 'error').length;
  const needs = states.filter((st) => st === 'warning' || st === 'overdue').length;
  // As the menu-bar icon: a broken config.json or a missing borg stops every backup (error); missing
  // Full Disk Access leaves some folders out (attention).
  const appProblem = s.configErrors.length > 0 || s.borg.state === 'missing';
  const fdaMissing = s.app.platform === 'darwin' && s.app.fullDiskAccess === 'missing';
  if (failed) return { text: ps.length === 1 ? 'The last backup failed' : `${failed} of ${ps.length} backups failed`, tone: 'error' };
  if (appProblem) return { text: 'Dandelion needs your attention', tone: 'error' };
  if (fdaMissing) return { text: 'Dandelion needs Full Disk Access', tone: 'attention' };
  if (needs)
    return {
      text:
        needs === 1 ? (ps.length === 1 ? 'Your backup needs attention' : '1 backup needs attention') : `${needs} backups need attention`,
      tone: 'attention',
    };
  if (states.includes('waiting')) return { text: 'Waiting for the backup disk', tone: 'attention' };
  if (ps.length === 0) return { text: 'No backups set up', tone: 'none' };
  if (states.every((st) => st === 'never')) return { text: 'Not backed up yet', tone: 'none' };
  if (states.some((st) => st === 'never' || st === 'cancelled')) return { text: 'Some backups have not finished yet', tone: 'attention' };
  return { text: ps.length === 1 ? 'Your backup is up to date' : 'All backups are up to date', tone: 'ok' };
}
