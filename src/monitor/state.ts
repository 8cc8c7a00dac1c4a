/**
 * state/monitor.json: per profile the last ping (when, whether it got through, the host; never the
 * URL) and the overdue spell already pinged, so a restart does not ping it again. Written whole to a
 * temporary file and renamed (0600); a file that does not read is taken as empty.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** `status --json` per profile: `monitor: { lastPing, ok, host } | null`. */
export interface MonitorStatus {
  lastPing: string;
  ok: boolean;
  host: string;
}

export interface ProfileMonitorState {
  last?: MonitorStatus;
  /** The overdue spell a failure was pinged for: the last success it began after ('never' before the first). */
  overduePinged?: string;
}

export interface MonitorState {
  profiles: Record<string, ProfileMonitorState>;
}

export function emptyState(): MonitorState {
  return { profiles: {} };
}

/** Plain JSON in, only the fields this file knows out (never trusting a hand-edited or foreign file). */
export function stateFromJson(raw: unknown): MonitorState {
  const out = emptyState();
  const profiles = (raw as { profiles?: unknown })?.profiles;
  if (!profiles || typeof profiles !== 'object') return out;
  for (const [id, v] of Object.entries(profiles as Record<string, unknown>)) {
    const e = v as { last?: Partial<MonitorStatus>; overduePinged?: unknown };
    const entry: ProfileMonitorState = {};
    const l = e?.last;
    if (l && typeof l.lastPing === 'string' && typeof l.ok === 'boolean' && typeof l.host === 'string')
      entry.last = { lastPing: l.lastPing, ok: l.ok, host: l.host };
    if (typeof e?.overduePinged === 'string') entry.overduePinged = e.overduePinged;
    out.profiles[id] = entry;
  }
  return out;
}

export async function readMonitorState(file: string): Promise<MonitorState> {
  try {
    return stateFromJson(JSON.parse(await fs.readFile(file, 'utf8')));
  } catch {
    return emptyState();
  }
}

export async function writeMonitorState(file: string, state: MonitorState): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await fs.rename(tmp, file);
}
