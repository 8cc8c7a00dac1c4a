/**
 * Notices wall-clock jumps: a suspended machine resumes with its timers late (node-schedule's
 * pending timers fire late or not at all), and a user or NTP may set the clock. A cheap tick compares
 * how much wall-clock time passed against the tick interval; callers re-check isDue on a jump.
 */
export function watchClockJumps(
  onJump: (gapMs: number) => void,
  opts: { intervalMs?: number; thresholdMs?: number; now?: () => number } = {},
): () => void {
  const intervalMs = opts.intervalMs ?? 30_000;
  const thresholdMs = opts.thresholdMs ?? 2 * intervalMs;
  const now = opts.now ?? Date.now;
  let last = now();
  const timer = setInterval(() => {
    const t = now();
    const elapsed = t - last;
    last = t;
    // Forward: more wall time passed than a busy event loop could explain. Backward: time went back.
    // gapMs is the unexplained part: positive for sleep / clock set forward, negative for set back.
    if (elapsed > thresholdMs || elapsed < 0) onJump(elapsed - intervalMs);
  }, intervalMs);
  // Never keep the process alive just to watch the clock.
  timer.unref();
  return () => clearInterval(timer);
}
