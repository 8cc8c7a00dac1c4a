/**
 * Open at Login: what the menu shows and what the first launch does. A backup that does not start
 * after a reboot does not run, so the first launch turns it on; after that the user's choice stands.
 */
import type { LoginItemStatus, LoginState } from '../ipc/contract.js';

const STATUSES: readonly LoginItemStatus[] = ['enabled', 'requires-approval', 'not-registered', 'not-found'];

/** Electron's getLoginItemSettings() as the app shows it: macOS 13+ reports a status, others do not. */
export function loginStateFrom(settings: { openAtLogin: boolean; status?: string }, platform: NodeJS.Platform): LoginState {
  const status =
    platform === 'darwin' && STATUSES.includes(settings.status as LoginItemStatus) ? (settings.status as LoginItemStatus) : 'unknown';
  // "requires-approval": registered, but macOS will not start it until the user allows it; the menu says so.
  return { openAtLogin: settings.openAtLogin, status };
}

/** At first launch (the setting never written), Open at Login is turned on; afterwards nothing is changed. */
export function loginAtFirstLaunch(saved: boolean | undefined): { set: boolean } | null {
  return saved === undefined ? { set: true } : null;
}
