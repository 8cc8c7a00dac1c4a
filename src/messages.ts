/**
 * What Dandelion says to a person: the sentence and the fix of each diagnosis. The wording names CLI
 * commands and settings, so it lives here, shared by the CLI and the windows, not in the borg layer
 * (which only decides the kind and gathers the facts).
 */
import type { ClassifyContext, Diagnosis, ErrorKind } from './diagnosis.js';
import { sshTarget, type SshTarget } from './borg/location.js';
import { spaceNumbers } from './jobs/verdict.js';
import { localDateTime } from './format.js';

export interface DiagnosisFacts {
  detail?: string;
  /** For aggregated warnings without a kind of their own: what happened to the files. */
  summary?: string;
  count?: number;
  example?: string;
  /** Set when the line came from the server side of an ssh connection. */
  remote?: boolean;
  exitCode?: number | null;
  /** The archive this run saved, for words about a step after create. */
  archive?: string;
  /** For prune-failed / compact-failed: what made the step fail, already worded for after create. */
  cause?: Pick<Diagnosis, 'kind' | 'message' | 'fix' | 'detail'>;
  /** For hollow-backup: the files the previous archive held (absent when the new one is empty). */
  previousFiles?: number;
  /** For hollow-backup: the share (in %) below which a backup counts as hollow. */
  percent?: number;
  /** For interrupted: when the run began (ISO); said in local time. */
  since?: string;
  /** For damage found by a check or drill: the user's other backup destinations (other profiles). */
  others?: string[];
  /** The operation the words are for when it is not a backup (busy, cancelled, disk-not-mounted). */
  operation?: 'restore';
  /** For restore kinds: the folder restored into, the paths concerned. */
  target?: string;
  paths?: string[];
}

/** What to do about damage a check or drill found: never `--repair` behind the user's back. */
function damageFix(ctx: ClassifyContext, info: DiagnosisFacts): string {
  const elsewhere = info.others?.length
    ? `Until then, restore what you need from your other backup (${info.others.join(', ')}).`
    : 'Until then, keep the original files safe: this repository may not give all of them back.';
  return `Do not delete or prune anything now. Read borg's documentation on ${CODE('borg check --repair')} (it deletes what it cannot read and may lose data), copy the repository first if you can, then run ${CODE(`borg check --repair ${ctx.repository}`)} yourself; Dandelion never repairs by itself. ${elsewhere}`;
}

function quoted(paths: readonly string[], max = 3): string {
  const shown = paths.slice(0, max).map((p) => `"/${p.replace(/^\/+/, '')}"`);
  return paths.length > max ? `${shown.join(', ')} and ${paths.length - max} more` : shown.join(', ');
}

const CODE = (s: string) => `\`${s}\``;

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** A sentence continued after a colon: "The disk …" → "the disk …", but "SSH …" and "borg" stay. */
function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function files(n: number): string {
  return n === 1 ? '1 file' : `${n.toLocaleString('en-US')} files`;
}

function targetOf(ctx: ClassifyContext, detail?: string): SshTarget {
  const fromRepo = sshTarget(ctx.repository);
  if (fromRepo) return fromRepo;
  // Fall back to what ssh printed, e.g. "Host key for [example.com]:2222 has changed".
  const m = detail ? /(?:for|to host) \[?([^\]\s:]+)\]?(?::(\d+)| port (\d+))?/.exec(detail) : null;
  return { host: m?.[1] ?? 'the server', port: Number(m?.[2] ?? m?.[3] ?? 22) };
}

function where(t: SshTarget): string {
  return t.port === 22 ? t.host : `${t.host} (port ${t.port})`;
}

/**
 * Only a backup whose create did not finish, and left a checkpoint (found after the run), resumes from
 * it; a saved archive, a test, or a create killed before borg wrote its first checkpoint has none.
 */
function resumes(ctx: ClassifyContext, sentence: string): string {
  return (ctx.stage ?? 'create') === 'create' && ctx.checkpoint === true ? sentence : '';
}

/** Why ssh could not reach a server, from its own words. */
export type ConnectionCause = 'not-found' | 'refused' | 'timed-out' | 'unreachable' | 'lost';

export function connectionCause(detail: string | undefined): ConnectionCause {
  const d = detail ?? '';
  if (/Could not resolve hostname|Name or service not known|nodename nor servname|Temporary failure in name resolution/i.test(d))
    return 'not-found';
  if (/Connection refused/i.test(d)) return 'refused';
  if (/timed out/i.test(d)) return 'timed-out';
  if (/No route to host|Network is unreachable/i.test(d)) return 'unreachable';
  return 'lost';
}

function connectionWords(ctx: ClassifyContext, info: DiagnosisFacts): { message: string; fix: string } {
  const t = targetOf(ctx, info.detail);
  switch (connectionCause(info.detail)) {
    case 'not-found':
      return {
        message: `The server name ${t.host} was not found (DNS could not resolve it).`,
        fix: 'Check the host name in the repository location for a typo, and that this computer is online.',
      };
    case 'refused':
      return {
        message: `${t.host} refused the connection on port ${t.port}: nothing listens for SSH there.`,
        fix: 'Check the port in the repository location (storage boxes often use 23) and that the SSH service on the server is running.',
      };
    case 'timed-out':
      return {
        message: `${where(t)} did not answer: the connection timed out.`,
        fix: 'Check the host name and port, that the server is up, and that no firewall or VPN blocks the connection.',
      };
    case 'unreachable':
      return {
        message: `${where(t)} cannot be reached from this network.`,
        fix: 'Check the network connection (Wi-Fi, VPN) and the host name.',
      };
    case 'lost':
      return {
        message: `The connection to ${where(t)} was lost.`,
        fix: `Check the network and that the server is up and has borg installed${resumes(ctx, '; the next run resumes from the last checkpoint')}.`,
      };
  }
}

export function describe(kind: ErrorKind, ctx: ClassifyContext, info: DiagnosisFacts): Omit<Diagnosis, 'kind' | 'detail'> {
  const repo = ctx.repository;
  const mac = ctx.platform === 'darwin';
  const n = info.count ?? 1;
  const eg = info.example ? (n === 1 ? `: ${info.example}` : `, e.g. ${info.example}`) : '';
  switch (kind) {
    case 'passphrase-wrong':
      if (ctx.passcommand)
        return {
          message: `The passphrase for ${repo} is wrong: it comes from the passcommand of ${ctx.profile ? `profile "${ctx.profile}"` : 'this profile'} ("${ctx.passcommand}").`,
          fix: 'Fix that passcommand in config.json so it prints the passphrase chosen when this repository was created. A passphrase saved in the keyring is not used while the profile has a passcommand.',
        };
      return {
        message: `The passphrase for ${repo} is wrong.`,
        fix: `Save the passphrase chosen when this repository was created, in Preferences or with \`dandelion passphrase set ${ctx.profile ?? '<profile>'}\`.`,
      };
    case 'passphrase-missing':
      return {
        message: `${repo} is encrypted and no passphrase was given.`,
        fix: `Save the repository's passphrase in Preferences, or with \`dandelion passphrase set ${ctx.profile ?? '<profile>'}\` (it is kept in the keyring).`,
      };
    case 'repo-missing':
      return {
        message: `There is no backup repository at ${repo}.`,
        fix: 'Check the repository location, or create a new repository there.',
      };
    case 'repo-invalid':
      return {
        message: `${repo} exists but is not a Borg repository.`,
        fix: "Choose the folder that holds the repository (it contains a 'config' file and a 'data' folder), or an empty location for a new one.",
      };
    case 'repo-exists':
      return {
        message: `A repository already exists at ${repo}.`,
        fix: 'Connect to the existing repository instead, or choose an empty location for a new one.',
      };
    case 'lock-timeout':
      return {
        message: `${repo} is locked by another borg process.`,
        fix: `Wait for the other backup to finish. If none is running (e.g. after a crash), run ${CODE(`borg break-lock ${repo}`)}.`,
      };
    case 'lock-failed':
      return {
        message: `Could not create the lock file in ${repo}.`,
        fix: 'Make sure the repository folder is writable by this user and its disk is neither full nor read-only.',
      };
    case 'ssh-host-unknown': {
      const t = targetOf(ctx, info.detail);
      return {
        message: `The server ${where(t)} is not in your known SSH hosts, so ssh refused to connect.`,
        fix: `Check the server's fingerprint with its administrator, then trust it with: ${CODE(`ssh-keyscan -p ${t.port} ${t.host} >> ~/.ssh/known_hosts`)}`,
      };
    }
    case 'ssh-host-changed': {
      const t = targetOf(ctx, info.detail);
      const entry = t.port === 22 ? t.host : `[${t.host}]:${t.port}`;
      return {
        message: `The SSH host key of ${where(t)} has changed. This can mean someone is intercepting the connection, so it is never accepted silently.`,
        fix: `Ask the server's administrator whether the key was changed on purpose. Only then remove the old key with ${CODE(`ssh-keygen -R '${entry}'`)} and connect again to trust the new one.`,
      };
    }
    case 'ssh-permission-denied': {
      const t = targetOf(ctx, info.detail);
      const login = t.user ? `${t.user}@${t.host}` : t.host;
      return {
        message: `The server ${where(t)} rejected the SSH login${t.user ? ` for ${t.user}` : ''}.`,
        fix: `Install your public key on the server, e.g. with ${CODE(`ssh-copy-id -p ${t.port} ${login}`)}, or check which key Dandelion uses.`,
      };
    }
    case 'ssh-key-too-open': {
      const key = info.detail ? /for '([^']+)' are too open|Load key "([^"]+)"/.exec(info.detail) : null;
      const path = key?.[1] ?? key?.[2] ?? '~/.ssh/id_ed25519';
      return {
        message: 'Your SSH private key can be read by other users, so ssh refuses to use it.',
        fix: `Restrict it to your user: ${CODE(`chmod 600 ${path}`)}`,
      };
    }
    case 'connection-lost':
      return connectionWords(ctx, info);
    case 'source-permission':
      return mac
        ? {
            message: `${files(n)} could not be read (permission denied)${eg}. macOS blocks them until Dandelion has Full Disk Access.`,
            fix: 'Open System Settings › Privacy & Security › Full Disk Access, add Dandelion and turn it on, then back up again (or exclude these paths).',
          }
        : {
            message: `${files(n)} could not be read (permission denied)${eg}.`,
            fix: 'Make these files readable by the user Dandelion runs as, or exclude them from the backup.',
          };
    case 'source-missing':
      return {
        message: `${n === 1 ? '1 source path does' : `${n.toLocaleString('en-US')} source paths do`} not exist${eg}.`,
        fix: 'Remove missing paths from the backup sources, or connect the disk they live on.',
      };
    case 'borg-missing':
      return info.remote
        ? {
            message: `BorgBackup is not installed on the server ${where(targetOf(ctx, info.detail))}.`,
            fix: 'Install BorgBackup 1.2 or newer on the server, or set the path to borg there in the backup settings.',
          }
        : {
            message: info.detail?.includes('looked in')
              ? `BorgBackup (borg) was not found ${info.detail.replace(/^borg was not found /, '')}.`
              : info.detail?.includes(' is not BorgBackup')
                ? `${firstLine(info.detail)}.`
                : 'BorgBackup (borg) is not installed on this computer.',
            fix: mac
              ? `Install it with ${CODE('brew install borgbackup')}, or set the path to borg in settings.`
              : `Install it with your package manager (e.g. ${CODE('sudo apt install borgbackup')}), or set the path to borg in settings.`,
          };
    case 'borg-broken':
      return {
        message:
          'BorgBackup failed its own self-test, so it cannot be trusted to make or read a backup: a fault in borg, its package, the system or the hardware. Nothing was changed in the repository.',
        fix: mac
          ? `Reinstall or upgrade it (${CODE('brew reinstall borgbackup')}), or set the path to another borg in settings; the next backup tests it again.`
          : `Reinstall or upgrade it with your package manager (e.g. ${CODE('sudo apt install --reinstall borgbackup')}), or set the path to another borg in settings; the next backup tests it again.`,
      };
    case 'borg-too-old':
      return {
        message: info.remote
          ? 'The borg on the server is too old for this client.'
          : 'The installed borg is too old for Dandelion or this repository.',
        fix: 'Install BorgBackup 1.2 or newer.',
      };
    case 'disk-not-mounted':
      if (info.operation === 'restore')
        return {
          message: `The disk holding ${repo} is not connected, so nothing can be restored from it.`,
          fix: 'Connect the backup disk (or mount the network share) and restore again.',
        };
      return {
        message: `The disk holding ${repo} is not connected.`,
        fix: 'Connect the disk (or mount the network share); Dandelion backs up automatically when it appears.',
      };
    case 'disk-removed':
      return {
        message: `The disk holding ${repo} went away during the backup.`,
        fix: `Reconnect the disk and run the backup again${resumes(ctx, '; borg resumes from the last checkpoint')}.`,
      };
    case 'disk-full': {
      // borg's own numbers when it checked before writing: "(required: 100.17 MB, available: 17.87 MB)".
      const need = /required: ([^,]+), available: ([^)]+)\)/.exec(info.detail ?? '');
      const quota = /storage quota \(([^)]+)\) has been exceeded/.exec(info.detail ?? '');
      const numbers = need ? ` (it needed ${need[1]}, ${need[2]} was free)` : '';
      // Only a failed create loses the backup; after it, the archive is saved whatever fails.
      const lost = (ctx.stage ?? 'create') === 'create' ? ', so this backup was not saved' : '';
      return {
        message: quota
          ? `The backup repository ${repo} is full: it reached its storage quota of ${quota[1]}${lost}.`
          : `The backup disk is full${info.remote ? ' on the server' : ''}: borg could not write to ${repo}${numbers}${lost}.`,
        fix: 'Make room: delete archives you no longer need (`borg prune` with fewer kept, or `borg delete`, then `borg compact`, which gives the space back), free other space on that disk, or move the backups to a bigger disk. The archives made before are intact.',
      };
    }
    case 'repo-folder-missing':
      return {
        message: `The folder ${info.example ?? 'holding the repository'} does not exist, so there is no backup repository at ${repo}.`,
        fix: `Check the repository path in the profile for a typo. To start a new repository there, run \`dandelion init ${ctx.profile ?? '<profile>'}\`.`,
      };
    case 'source-broken-link':
      return {
        message: `${info.example ?? 'A source'} is a link to ${info.detail ?? 'a place'} that does not exist, so it was not backed up.`,
        fix: "Connect the disk the link points to, or change the link (or the profile's sources) to the real folder.",
      };
    case 'no-sources':
      return {
        message: `Nothing was backed up: none of the sources exist${info.detail ? ` (${info.detail})` : ''}.`,
        fix: 'Check the sources in the profile; if they live on a disk, connect it and back up again.',
      };
    case 'repo-placement':
      return {
        message: `Nothing was backed up: ${info.summary ?? `${repo} cannot hold this profile's backups`}.`,
        fix: 'Choose another folder for the repository (Preferences › Repository, or "repository" in config.json), or change the folders backed up.',
      };
    case 'no-archive':
      return {
        message: `${info.example ?? 'borg'} finished without making an archive, so nothing was backed up.`,
        fix: 'Make sure the path to borg in settings is BorgBackup 1.2 or newer (`dandelion doctor` checks it), then back up again.',
      };
    case 'cancelled':
      if (info.operation === 'restore')
        return {
          message: 'The restore was cancelled; the files it had begun to write were removed and nothing else changed.',
          fix: 'Restore again when ready.',
        };
      return info.archive
        ? {
            message: `The run was cancelled after the backup was saved as ${info.archive}; old archives were not thinned out or compacted.`,
            fix: 'Nothing is lost: the next run prunes and compacts.',
          }
        : {
            message: 'The run was cancelled before it finished.',
            fix: `Start it again when ready${resumes(ctx, '; borg resumes from the last checkpoint')}.`,
          };
    case 'hollow-backup': {
      const sources = info.detail ? ` (${info.detail})` : '';
      const cause = 'an exclude that covers the folder, a folder that was emptied or moved, or a disk not mounted behind it';
      return {
        message:
          info.previousFiles === undefined
            ? `Nothing was backed up: ${info.archive ?? 'the new archive'} holds no files, although the sources exist${sources}.`
            : `Only ${files(n)} were backed up, fewer than ${info.percent ?? 10} % of the ${files(info.previousFiles)} in the previous backup${sources}.`,
        fix: `Look for ${cause}, then back up again. Old archives were not pruned, so none was pushed out by this one; if the files were removed on purpose, the next backup counts from this one.`,
      };
    }
    case 'prune-failed':
    case 'compact-failed': {
      const saved = `The backup was saved${info.archive ? ` as ${info.archive}` : ''}`;
      const cause = info.cause;
      const room = cause?.kind === 'disk-full' ? spaceNumbers(cause.detail ?? '') : null;
      if (kind === 'compact-failed' && room)
        return {
          message: `${saved}, but the space of deleted archives could not be given back: borg compact needs ${room.required} free on the disk holding ${repo}, and ${room.available} is free.`,
          fix: `Free space on that disk until ${room.required} is free (borg compact needs room to rewrite whole segments), or move the repository to a bigger disk; then back up again, and the compact after it gives the space back. Every archive is intact.`,
        };
      const what =
        kind === 'prune-failed'
          ? 'old archives were not thinned out'
          : 'the space of deleted archives could not be given back (borg compact)';
      return {
        message: `${saved}, but ${what}: ${cause ? lowerFirst(cause.message) : 'borg failed'}`,
        fix: `${cause?.fix ?? 'Open the log for the full borg output.'} Every archive is intact; the next backup tries again.`,
      };
    }
    case 'keyring-unavailable':
      return {
        message: `The ${mac ? 'Keychain' : 'system keyring'} could not be reached, so the passphrase for ${repo} cannot be read or saved${info.detail ? ` (${firstLine(info.detail)})` : ''}.`,
        fix: mac
          ? 'Unlock the login Keychain (Keychain Access › File › Unlock) and try again.'
          : 'Start a Secret Service in this session (gnome-keyring or KeePassXC), or set "passcommand" for this profile in config.json.',
      };
    case 'config-invalid':
      return {
        message: `The settings file is not valid${info.detail ? `: ${firstLine(info.detail)}` : ''}. The previous settings stay in force.`,
        fix: 'Correct the field named above in Preferences or in config.json; nothing was overwritten.',
      };
    case 'unknown-profile':
      return {
        message: `There is no backup profile "${ctx.profile ?? ''}".`,
        fix: info.detail ? `Known profiles: ${info.detail}.` : 'Add a profile in Preferences or in config.json.',
      };
    case 'invalid-request':
      return {
        message: `A window asked for something Dandelion refuses${info.detail ? `: ${firstLine(info.detail)}` : ''}.`,
        fix: 'Nothing was changed. This is a bug in the window that asked; please report it.',
      };
    case 'interrupted':
      return {
        // Kept in the history and read later: a date that does not go stale ("today"), in local time.
        message: `The backup to ${repo}${info.since && !Number.isNaN(Date.parse(info.since)) ? ` that started ${localDateTime(new Date(info.since))}` : ''} never finished: Dandelion was stopped outright (killed, or the computer lost power) while it ran.`,
        // The step it was in is not known (it may have been prune or compact, after the archive was saved), nor
        // whether borg left a checkpoint: nothing is promised about either. No "back up now" either: the app may
        // already be running the next backup when this is read.
        fix: 'Nothing needs repairing; the next backup saves what this one did not.',
      };
    case 'passcommand-failed':
      return {
        message: `The passcommand of ${ctx.profile ? `profile "${ctx.profile}"` : repo} gave no passphrase: ${info.detail ?? 'it failed'}.`,
        fix: 'Run the passcommand in a terminal to see what it wants (an unlocked password manager, a prompt answered), or store the passphrase in the keyring instead.',
      };
    case 'killed':
      return {
        message: `borg was stopped from outside${info.detail ? ` (${info.detail})` : ''} before ${(ctx.stage ?? 'create') === 'create' ? `the backup to ${repo}` : 'it'} finished; nobody cancelled it in Dandelion.`,
        fix: `Back up again${resumes(ctx, '; borg resumes from its last checkpoint')}. If it keeps happening, look for what ends it (memory pressure, another tool, a shutdown).`,
      };
    case 'busy':
      if (info.operation === 'restore')
        return {
          message: `${repo} is busy${info.detail ? `: ${info.detail}` : ''}, so the restore could not start.`,
          fix: 'Wait for it to finish and restore again, or cancel the backup first (Dandelion never runs two borg commands on one repository).',
        };
      return {
        message: `Another Dandelion process is already using ${repo}${info.detail ? `: ${info.detail}` : ''}.`,
        fix: 'Wait for it to finish, or cancel it there; a second borg on the same repository is never started.',
      };
    case 'archive-missing': {
      const list = ctx.profile ? CODE(`dandelion archives ${ctx.profile}`) : 'The archive list';
      if (info.operation === 'restore' && (info.archive || info.detail))
        return {
          message: info.archive
            ? `The backup "${firstLine(info.archive)}" is no longer in ${ctx.repository}; nothing was restored.`
            : `That backup is no longer in ${ctx.repository} (it was deleted or thinned out); nothing was restored.`,
          fix: 'Pick another archive: the list of archives is shown again with what is there now.',
        };
      return info.archive || info.detail
        ? {
            message: info.archive
              ? `There is no archive "${firstLine(info.archive)}" in ${ctx.repository}.`
              : `The archive is no longer in ${ctx.repository} (borg: ${firstLine(info.detail ?? '')}).`,
            fix: `It may have been thinned out by prune or deleted. ${list} shows the archives there are.`,
          }
        : {
            message: `There are no archives in ${ctx.repository} yet.`,
            fix: 'Back up first: there is nothing to browse or restore until a backup has been saved.',
          };
    }
    case 'path-missing':
      return {
        message:
          `${info.example ? `"${firstLine(info.example)}"` : 'That path'} is not ${info.summary ?? 'in'} the archive ${info.archive ?? ''}`.trimEnd() +
          '.',
        fix: 'Names are matched exactly (capitals count). Browse the archive from its top to find where it is.',
      };
    case 'repo-damaged':
      return {
        message: `Backups may not be restorable: the storage files of ${repo} are damaged (${n === 1 ? '1 error' : `${n.toLocaleString('en-US')} errors`} in its segment files or index${info.detail ? `, e.g. "${firstLine(info.detail)}"` : ''}).`,
        fix: damageFix(ctx, info),
      };
    case 'archives-damaged':
      return {
        message: `Backups may not be restorable: the archive metadata in ${repo} is damaged (${n === 1 ? '1 problem' : `${n.toLocaleString('en-US')} problems`} in the lists of backed-up files${info.detail ? `, e.g. "${firstLine(info.detail)}"` : ''}).`,
        fix: damageFix(ctx, info),
      };
    case 'data-damaged':
      return {
        message: `Backups may not be restorable: backed-up data in ${info.archive ?? repo} cannot be read back (${n === 1 ? '1 piece' : `${n.toLocaleString('en-US')} pieces`} failed to decrypt or authenticate${info.detail ? `, e.g. "${firstLine(info.detail)}"` : ''}).`,
        fix: damageFix(ctx, info),
      };
    case 'restore-mismatch':
      return {
        message: `Backups may not be restorable: a test restore from ${info.archive ?? repo} gave back ${n === 1 ? '1 file' : `${n.toLocaleString('en-US')} files`} different from the original, although the original has not changed since${eg}.`,
        fix: `Check the repository with ${CODE(`dandelion check ${ctx.profile ?? '<profile>'} --verify-data`)}, and keep the original files safe. ${info.others?.length ? `Restore what you need from your other backup (${info.others.join(', ')}).` : 'Back up again after the check.'}`,
      };
    case 'restore-path-missing': {
      const paths = info.paths ?? (info.example ? [info.example] : []);
      const one = paths.length === 1;
      return {
        message: `${one ? `${quoted(paths)} is` : `${paths.length} paths are`} not in ${info.archive ? `the backup ${info.archive}` : 'that backup'}${one ? '' : `: ${quoted(paths)}`}; nothing was restored.`,
        fix: 'Check the spelling, or pick an archive that holds it (the versions of a file list the archives that do).',
      };
    }
    case 'restore-target-unwritable':
      return {
        message: `Files cannot be written to ${info.target ?? 'the chosen folder'}${info.detail ? ` (${firstLine(info.detail)})` : ''}; nothing was restored.`,
        fix: 'Choose a folder you can write to, on a disk that is not read-only.',
      };
    case 'restore-target-full':
      return {
        message: `The disk holding ${info.target ?? 'the chosen folder'} is full${info.summary ? ` (${info.summary})` : ''}; the restore was stopped and what it had written was removed.`,
        fix: 'Free some space there, or restore to a bigger disk, or restore fewer files at a time.',
      };
    case 'restore-refused':
      return {
        message: `${n === 1 ? '1 item' : `${n.toLocaleString('en-US')} items`} in ${info.archive ?? 'the archive'} would have been written outside the restore folder and ${n === 1 ? 'was' : 'were'} left out${info.paths?.length ? `: ${quoted(info.paths)}` : ''}.`,
        fix: 'Everything else was restored. An archive with such names was not made by a normal backup: check who can write to this repository.',
      };
    case 'unknown':
      if (info.summary) {
        // Aggregated file-level warnings that have no kind of their own (I/O errors, files changing).
        return {
          message: `${files(n)} ${info.summary}${eg}.`,
          fix: `See the log for the full list; everything else was ${info.operation === 'restore' ? 'restored' : 'backed up'}.`,
        };
      }
      return {
        message: info.detail
          ? `borg reported: ${firstLine(info.detail)}`
          : `borg failed${info.exitCode != null ? ` with exit code ${info.exitCode}` : ''}.`,
        fix: 'Open the log for the full borg output.',
      };
  }
}

/** A path inside a borg file warning: `/a/b: open: [Errno 13] Permission denied: 'b'`. */
export const FILE_WARNING = /^(.*?): (?:[a-z_]+: )?\[Errno (\d+)\] ([^:]+)/;

/** `facts` adds what a caller knows beyond the raw line, e.g. the path a diagnosis is about (`example`). */
export function diagnosisFor(kind: ErrorKind, ctx: ClassifyContext, detail?: string, facts: DiagnosisFacts = {}): Diagnosis {
  const info: DiagnosisFacts = { detail, remote: detail?.startsWith('Remote: '), ...facts };
  const file = detail ? FILE_WARNING.exec(detail) : null;
  if (file) info.example ??= file[1];
  return { kind, ...describe(kind, ctx, info), ...(detail ? { detail } : {}) };
}
