/**
 * Full Disk Access on macOS: whether this process has it, and when a run's trouble is for want of
 * it. There is no API to ask; the usual probe lists folders macOS protects (TCC): listed means
 * granted, EPERM means withheld. It runs at every start, because a rebuilt or re-signed app loses
 * the grant. Off macOS there is nothing to grant, so the answer is 'unknown' and nothing nags.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunRecord } from '../records.js';
import type { FdaState } from './tray-view.js';

export type { FdaState };

export const FDA_SETTINGS_URL = 'x-apple.systempreferences:com.apple.preference.security?Privacy_AllFiles';
export const LOGIN_ITEMS_URL = 'x-apple.systempreferences:com.apple.LoginItems-Settings.extension';

/** Folders under the home folder that only a process with Full Disk Access may list. */
export const TCC_PROTECTED = ['Library/Safari', 'Library/Mail', 'Library/Messages', 'Library/Application Support/com.apple.TCC'];

export interface FdaProbeOptions {
  platform: NodeJS.Platform;
  home: string;
  /** Absolute folders to try instead of TCC_PROTECTED under `home`. */
  paths?: string[];
  /** For tests: how a folder is listed (default fs.promises.readdir). */
  readdir?: (p: string) => Promise<unknown>;
}

/**
 * 'granted' when any protected folder can be listed; 'missing' when one exists but listing it is
 * refused; 'unknown' off macOS, or when none of them exists (a fresh account, another layout) or
 * they fail for other reasons.
 */
export async function probeFullDiskAccess(opts: FdaProbeOptions): Promise<FdaState> {
  if (opts.platform !== 'darwin') return 'unknown';
  const readdir = opts.readdir ?? ((p: string) => fs.readdir(p));
  const paths = opts.paths ?? TCC_PROTECTED.map((p) => path.join(opts.home, p));
  let denied = false;
  for (const p of paths) {
    try {
      await readdir(p);
      return 'granted';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'EPERM' || code === 'EACCES') denied = true;
    }
  }
  return denied ? 'missing' : 'unknown';
}

/**
 * A run that could not read its sources on macOS points to Full Disk Access, unless the probe says
 * it is granted (then the files are unreadable for another reason, and the diagnosis's own fix holds).
 */
export function permissionProblem(
  record: RunRecord,
  platform: NodeJS.Platform,
  fda: FdaState,
): { message: string; fix: string; action: 'open-fda-settings' } | null {
  if (platform !== 'darwin' || fda === 'granted') return null;
  const d = record.diagnoses.find((x) => x.kind === 'source-permission');
  return d ? { message: d.message, fix: d.fix, action: 'open-fda-settings' } : null;
}
