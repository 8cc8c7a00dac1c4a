/**
 * What a reader of an old borg setup may know of this machine. Readers are pure functions of the
 * text and this context, so tests give them a fake one; `machineContext()` is the real machine.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface ImportContext {
  home: string;
  /** For `launchctl bootout gui/UID LABEL` in the report. */
  uid: number;
  /** For `{hostname}` in archive names. */
  hostname: string;
  user: string;
  /** Where a found passphrase goes, in the user's words: "the Keychain" on a Mac, "the keyring" elsewhere. */
  keychain: string;
  /** Whether a path exists here (a borg binary named by a script, an exclude file, a key file). */
  exists(file: string): boolean;
  /** A file the imported one refers to (an `--exclude-from` file, the script a plist runs); null when unreadable. */
  readFile(file: string): string | null;
}

export function machineContext(): ImportContext {
  const info = os.userInfo();
  return {
    home: os.homedir(),
    uid: info.uid,
    hostname: os.hostname(),
    user: info.username,
    keychain: process.platform === 'darwin' ? 'the Keychain' : 'the keyring',
    exists: (file) => fs.existsSync(file),
    readFile: (file) => {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        return null;
      }
    },
  };
}
