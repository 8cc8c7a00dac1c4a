/**
 * Did a create that was cut short leave a checkpoint? borg 1.2 writes `<name>.checkpoint` every
 * --checkpoint-interval seconds (default 1800), at the end of a file over the chunk limit, and when
 * it stops on SIGINT; a SIGKILL, a lost connection or a removed disk before the first one leaves
 * none, and borg says nothing in its output either way. So after the run we ask borg: the newest
 * checkpoint of this profile's archives that started no earlier than this run is the one it left.
 */

/** borg's archive time: `2026-12-03T06:07:36.000000` (1.2: local, no zone) or with an offset (1.4). */
function archiveTime(text: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(text);
  if (!m) return Number.NaN;
  const ms = (m[2] ?? '0').padEnd(3, '0').slice(0, 3);
  // Without a zone, ECMAScript reads a date-time as local time, as borg 1.2 wrote it.
  return Date.parse(`${m[1]}.${ms}${m[3] ?? ''}`);
}

/** From `borg list --consider-checkpoints --json`: the checkpoint this run left, or null. */
export function checkpointOf(stdout: string, runStartedAt: Date): string | null {
  let json: { archives?: { name?: unknown; start?: unknown; time?: unknown }[] };
  try {
    json = JSON.parse(stdout);
  } catch {
    return null;
  }
  // borg's times have whole seconds at worst: a checkpoint of this run starts within a second of it.
  const from = runStartedAt.getTime() - 1000;
  let best: { name: string; at: number } | null = null;
  for (const a of json.archives ?? []) {
    if (typeof a.name !== 'string' || !/\.checkpoint(\.\d+)?$/.test(a.name)) continue;
    const at = archiveTime(typeof a.start === 'string' ? a.start : typeof a.time === 'string' ? a.time : '');
    if (!(at >= from)) continue;
    if (!best || at >= best.at) best = { name: a.name, at };
  }
  return best?.name ?? null;
}
