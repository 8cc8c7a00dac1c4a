/**
 * Open at Login: what the menu shows and what the first launch asks. A backup that does not start
 * after a reboot does not run, so the first launch asks (with yes as the default, one click) and
 * changes nothing before the answer: neither the login item nor config.json. The answer is a saved
 * setting (`app.openAtLogin`); after that the user's choice stands and nothing is asked again.
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

/** The first launch's question, as a message box; its answer is a button index (see loginAnswer). */
export interface LoginQuestion {
  type: 'question';
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
}

const YES = 0;
const NO = 1;

/**
 * The question the first launch asks, or null when there is nothing to ask: the setting was saved
 * before (`saved` is the file's `app.openAtLogin`), or config.json has errors (the answer could not
 * be kept, so it is asked at a launch after the file is fixed).
 */
export function loginQuestion(saved: boolean | undefined, configHasErrors: boolean, platform: NodeJS.Platform): LoginQuestion | null {
  if (saved !== undefined || configHasErrors) return null;
  const where = platform === 'darwin' ? 'the Dandelion menu in the menu bar' : 'the Dandelion menu';
  return {
    type: 'question',
    message: 'Open Dandelion at login?',
    detail:
      'Dandelion backs up on schedule and when a backup disk is connected only while it is open. ' +
      `You can change this at any time with Open at Login in ${where}.`,
    buttons: ['Open at Login', 'Not Now'],
    defaultId: YES,
    cancelId: NO,
  };
}

/**
 * Where the first launch asks: in the window a person needs first, the setup assistant while no
 * backup is set up, else the status window. The question is a sheet of that window, so nobody
 * misses a menu-bar app that has no Dock icon, and (unlike a message box without a window, which
 * on macOS blocks the main process and on Linux may answer late) the engine keeps running meanwhile.
 */
export function firstLaunchWindow(profiles: number): { window: 'preferences' | 'status'; section?: string } {
  return profiles === 0 ? { window: 'preferences', section: 'new-profile' } : { window: 'status' };
}

/** The button the user chose → the Open at Login setting to save (Escape and closing count as Not Now). */
export function loginAnswer(response: number): boolean {
  return response === YES;
}
