/**
 * A diagnosis as the menu-bar app says it. The engine's fixes name CLI commands
 * (`dandelion passphrase set offsite`, `ssh-keyscan …`) because the CLI and the log print them; a
 * notification is read by someone who clicked nothing yet, so it names the menu items and windows
 * instead, and leaves terminal commands to the status window a click on it opens. Pure.
 */
import type { Diagnosis } from '../diagnosis.js';

export interface AppMenuWords {
  /** The menu item that opens the settings: "Settings…" (macOS 13 and later) or "Preferences…". */
  settings: string;
}

export const DEFAULT_MENU_WORDS: AppMenuWords = { settings: 'Settings…' };

/** A fix that needs a terminal: the status window (which a click on the notification opens) shows the command. */
const SEE_WINDOW = 'Click here for the steps to fix it.';

/** True when a text names a command: anything in backticks, or "dandelion <command>". */
export function namesCommand(text: string): boolean {
  return text.includes('`') || /\bdandelion [a-z]/.test(text);
}

/** The fix of a diagnosis in the app's words: menu items, never commands. */
export function appFix(d: Pick<Diagnosis, 'kind' | 'fix'>, menu: AppMenuWords = DEFAULT_MENU_WORDS): string {
  if (!namesCommand(d.fix)) return d.fix;
  const settings = `${menu.settings} in the Dandelion menu`;
  switch (d.kind) {
    case 'passphrase-wrong':
      // A profile whose passphrase comes from a passcommand: saving one in the Keychain would never be used.
      if (/passcommand/i.test(d.fix))
        return `Fix this profile's passcommand (${settings}, or "passcommand" in config.json): the passphrase it gives does not open the repository.`;
      return `Choose ${settings} and save the passphrase chosen when this repository was created.`;
    case 'passphrase-missing':
      return `Choose ${settings} and save the repository's passphrase (it is kept in the Keychain).`;
    case 'repo-folder-missing':
      return `Check the repository location in ${settings}, or create a new repository there.`;
    case 'no-archive':
      return `Make sure the path to borg in ${settings} is BorgBackup 1.2 or newer, then choose Back Up Now.`;
    case 'unknown':
      return 'If this keeps happening, open Dandelion… from the menu and include the log in a report.';
    default:
      return SEE_WINDOW;
  }
}

/** A diagnosis's message for the app: commands lose their backticks (messages name things, they rarely quote a command). */
export function appMessage(message: string): string {
  return message.replaceAll('`', '');
}

/** Message and fix, as one notification body. */
export function appSentence(d: Pick<Diagnosis, 'kind' | 'message' | 'fix'>, menu: AppMenuWords = DEFAULT_MENU_WORDS): string {
  return `${appMessage(d.message)} ${appFix(d, menu)}`;
}
