/**
 * What a window can do about a diagnosis: the button that goes with its fix, when there is one.
 * A changed host key is never offered for trust: it may be an attack, so it only leads to the
 * repository settings, where the preferences window explains it.
 */
import { api } from '../shared/api.js';
import type { ErrorKind, Section } from '../shared/types.js';

export interface FixAction {
  label: string;
  run(): Promise<unknown>;
}

const preferences = (profile: string, section: Section) => () => api.openWindow({ window: 'preferences', profile, section });

export function actionFor(kind: ErrorKind, profile: string, platform: string): FixAction | null {
  switch (kind) {
    case 'passphrase-wrong':
    case 'passphrase-missing':
      return { label: 'Set Passphrase…', run: preferences(profile, 'passphrase') };
    case 'source-permission':
      // Full Disk Access is a macOS setting; elsewhere the fix is the file's own permissions.
      return platform === 'darwin' ? { label: 'Grant Full Disk Access…', run: () => api.openFdaSettings() } : null;
    case 'ssh-host-unknown':
      return { label: 'Trust This Host…', run: preferences(profile, 'repository') };
    case 'ssh-host-changed':
    case 'ssh-permission-denied':
    case 'ssh-key-too-open':
    case 'repo-missing':
    case 'repo-invalid':
    case 'repo-folder-missing':
    case 'repo-placement':
      return { label: 'Repository Settings…', run: preferences(profile, 'repository') };
    case 'no-sources':
    case 'source-missing':
    case 'source-broken-link':
      return { label: 'Choose Folders…', run: preferences(profile, 'sources') };
    case 'hollow-backup':
      // An exclude that covers a folder, or a folder emptied: both are seen and fixed under Folders.
      return { label: 'Check Folders…', run: preferences(profile, 'sources') };
    case 'borg-missing':
    case 'borg-too-old':
    case 'borg-broken':
      return { label: 'General Settings…', run: preferences(profile, 'general') };
    default:
      return null;
  }
}
