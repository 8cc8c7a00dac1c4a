import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { canonicalRepository } from './borg/location.js';

/** The folder Electron's `userData` gives the app, so the tray and the CLI share one config. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.DANDELION_CONFIG_DIR) return path.resolve(env.DANDELION_CONFIG_DIR);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Dandelion');
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(xdg, 'Dandelion');
}

/**
 * Where removable disks appear: macOS /Volumes; Linux udisks mounts under /run/media/$USER (Fedora,
 * Arch) or /media/$USER (Debian, Ubuntu).
 */
export function defaultVolumesRoots(platform = process.platform, user = os.userInfo().username): string[] {
  if (platform === 'darwin') return ['/Volumes'];
  return [path.join('/run/media', user), path.join('/media', user)];
}

/**
 * The known_hosts file borg's ssh verifies servers against and the preferences window adds a trusted
 * key to: one file for both. `DANDELION_KNOWN_HOSTS` points it elsewhere (tests use a temp file).
 */
export function knownHostsFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DANDELION_KNOWN_HOSTS) return path.resolve(expandHome(env.DANDELION_KNOWN_HOSTS));
  return path.join(os.homedir(), '.ssh', 'known_hosts');
}

export function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

/**
 * A short, filesystem-safe key for a repository (used for lock and state file names). Taken from the
 * canonical location, so every spelling of one repository (`/x/./repo/`, a symlinked folder,
 * `u@h:r` and `ssh://u@h:22/./r`) shares one lock.
 */
export function repoKey(repository: string): string {
  return crypto.createHash('sha256').update(canonicalRepository(repository)).digest('hex').slice(0, 16);
}

/** Every file and folder the engine keeps under a config dir, named in one place. */
export interface ConfigPaths {
  dir: string;
  config: string;
  logs: string;
  history: string;
  /** Restores, checks and restore drills, apart from the backup history (src/ops/records.ts). */
  operations: string;
  locks: string;
  cache: string;
  /** Held by the one process (the app or `dandelion daemon`) that owns the schedules and disk triggers. */
  triggersLock: string;
  /** Which profiles the trigger owner is waiting for a disk for, so other processes can show it. */
  waiting: string;
  /** borg's version by binary fingerprint, so a run does not start borg twice. */
  borgVersions: string;
  /** What the engine learnt about repositories (e.g. their encryption), keyed by repository location. */
  repositories: string;
  /** Archive indexes for browsing: `<repository id>/<archive id>.idx` (src/browse/store.ts; safe to delete). */
  archiveIndex: string;
  /** What the menu-bar app already told the user (notifications), so a relaunch does not say it again. */
  notifyMemory: string;
  /** Monitoring (src/monitor/): the last ping per profile (host only, never the URL) and the overdue spells already pinged. */
  monitorState: string;
  /** Held while a borg command runs on that repository, across processes; one file however the location is spelt. */
  repoLock(repository: string): string;
  /** Automatic backups paused (by the menu or `dandelion pause`), and until when: every process honours it. */
  pause: string;
  /** Another process asks the one backing up this repository to cancel or skip its run. */
  stopRequest(repository: string): string;
}

export function configPaths(dir: string): ConfigPaths {
  const locks = path.join(dir, 'locks');
  const cache = path.join(dir, 'cache');
  return {
    dir,
    config: path.join(dir, 'config.json'),
    logs: path.join(dir, 'logs'),
    history: path.join(dir, 'history'),
    operations: path.join(dir, 'operations'),
    locks,
    cache,
    triggersLock: path.join(locks, 'triggers.lock'),
    waiting: path.join(locks, 'waiting-for-volume.json'),
    borgVersions: path.join(cache, 'borg-versions.json'),
    repositories: path.join(cache, 'repositories.json'),
    archiveIndex: path.join(cache, 'archive-index'),
    notifyMemory: path.join(dir, 'state', 'notifications.json'),
    monitorState: path.join(dir, 'state', 'monitor.json'),
    repoLock: (repository) => path.join(locks, `repo-${repoKey(repository)}.lock`),
    pause: path.join(locks, 'pause.json'),
    stopRequest: (repository) => path.join(locks, `stop-${repoKey(repository)}.json`),
  };
}
