/**
 * The closed set of things that can go wrong, as data: a kind, a sentence and a fix. Every face (the
 * CLI, the tray, the windows) receives these; none of them sees a bare Error.
 */
export type ErrorKind =
  | 'keyring-unavailable'
  | 'config-invalid'
  | 'unknown-profile'
  /** A window's call with arguments the contract refuses, or from a sender that is not one of our windows. */
  | 'invalid-request'
  | 'busy'
  | 'interrupted'
  | 'killed'
  | 'passcommand-failed'
  | 'passphrase-wrong'
  | 'passphrase-missing'
  | 'repo-missing'
  | 'repo-invalid'
  | 'repo-exists'
  | 'lock-timeout'
  | 'lock-failed'
  | 'ssh-host-unknown'
  | 'ssh-host-changed'
  | 'ssh-permission-denied'
  | 'ssh-key-too-open'
  | 'connection-lost'
  | 'source-permission'
  | 'source-missing'
  | 'borg-missing'
  | 'borg-too-old'
  /** borg's own self-test failed (src/borg/selftest.ts): this copy of borg cannot be trusted with a backup. */
  | 'borg-broken'
  | 'disk-not-mounted'
  | 'disk-removed'
  | 'disk-full'
  | 'repo-folder-missing'
  | 'source-broken-link'
  | 'no-sources'
  /** The repository is a file, the top of the system disk, inside a source, or holds one (profiles/placement.ts). */
  | 'repo-placement'
  | 'no-archive'
  /** An archive was made but holds nothing, or far fewer files than the one before it. */
  | 'hollow-backup'
  /** The archive was saved; prune (thinning out old archives) failed after it. */
  | 'prune-failed'
  /** The archive was saved; compact (giving space back) failed after it. */
  | 'compact-failed'
  | 'cancelled'
  /** The archive asked for is not (or no longer) in the repository; none at all for `latest` before the first backup. */
  | 'archive-missing'
  /** The path asked for is not in the archive (or is not a folder where a folder was asked for). */
  | 'path-missing'
  /** borg check: the repository's storage (segment files under data/, or its index) does not read back as written. */
  | 'repo-damaged'
  /** borg check: the manifest or an archive's metadata is damaged, or files in an archive point at data that is gone. */
  | 'archives-damaged'
  /** A piece of backed-up data fails to decrypt or authenticate (check --verify-data, or the drill's read of an archive). */
  | 'data-damaged'
  /** The restore drill restored a file that differs from its unchanged source. */
  | 'restore-mismatch'
  /** A restore: a path asked for is not in the archive (borg's "never matched"). */
  | 'restore-path-missing'
  /** A restore: the folder to restore into cannot be written (read-only, no permission, missing). */
  | 'restore-target-unwritable'
  /** A restore: the disk restored to filled up. */
  | 'restore-target-full'
  /** A restore: members whose names would land outside the target were left out. */
  | 'restore-refused'
  | 'unknown';

export interface Diagnosis {
  kind: ErrorKind;
  message: string;
  fix: string;
  /** The raw borg/ssh line this was derived from. */
  detail?: string;
}

export interface ClassifyContext {
  repository: string;
  platform: NodeJS.Platform;
  passphraseSupplied: boolean;
  /** The profile's passcommand, when the passphrase came from it: then it is the thing to fix, not the keyring. */
  passcommand?: string;
  /** The profile, so a fix can name the exact command (`dandelion passphrase set offsite`). */
  profile?: string;
  /**
   * What the words are for: a backup whose archive is not saved yet (the default), a step after the
   * archive was saved (nothing may say it was not), or a connection test (no run, no checkpoint).
   */
  stage?: 'create' | 'after-create' | 'probe';
  /**
   * A create cut short left a checkpoint archive (borg list shows it after the run). Only then may a
   * fix say the next backup resumes from it: a hard kill before the first checkpoint leaves none.
   */
  checkpoint?: boolean;
}
