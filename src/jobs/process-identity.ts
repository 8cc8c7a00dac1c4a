/**
 * Who a pid is: after a reboot (or simply after a long time) a pid recorded in a lock file may
 * belong to another, unrelated process. A process is identified by its pid together with when it
 * started (and, on Linux, the boot it started in), so a lock proves it is still its owner's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let bootId: string | null | undefined;

function linuxBootId(): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/**
 * A string that names this very process instance, or null when the platform does not say (then the
 * pid alone is trusted, as before). Linux: boot id + start time in clock ticks since boot, from
 * /proc; macOS: `ps -o lstart=` (the start time to the second).
 */
export function processStart(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const start = fields[19]; // field 22 of stat(5)
      return start ? `${linuxBootId() ?? 'boot'}:${start}` : null;
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() || null;
  } catch {
    return null;
  }
}

let own: string | null | undefined;

/** This process's own start identity, computed once. */
export function ownStart(): string | null {
  if (own === undefined) own = processStart(process.pid);
  return own;
}

/** The pid is alive (or not ours to signal). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Is the process recorded as (pid, start) still running? A live pid whose start differs is another
 * process that reused the pid. An unknown recorded start trusts the pid (older lock files).
 */
export function sameProcess(pid: number, start: string | null | undefined): boolean {
  if (!pidAlive(pid)) return false;
  if (!start) return true;
  const now = processStart(pid);
  return now === null || now === start;
}
