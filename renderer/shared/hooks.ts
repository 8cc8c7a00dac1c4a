/**
 * Hooks both windows use: the engine's snapshot kept current, events, and a clock that keeps
 * "2 hours ago" true without one timer per label.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import type { AppSnapshot, Diagnosis, EventPayloads } from './types.js';
import type { EventName } from '../../src/ipc/names.js';

let readySent = false;
/** Tells the main process the window listens: what it queued (see src/ipc/outbox.ts) comes now. Once per window. */
export function sayReady(): void {
  if (readySent) return;
  readySent = true;
  void api.ready();
}

export interface SnapshotState {
  snapshot: AppSnapshot | null;
  /** Why the first `status` call failed; cleared by the next snapshot. */
  error: Diagnosis | null;
}

let snapshotState: SnapshotState = { snapshot: null, error: null };
const snapshotListeners = new Set<(s: SnapshotState) => void>();
let snapshotStarted = false;

function setSnapshotState(next: SnapshotState): void {
  snapshotState = next;
  for (const l of snapshotListeners) l(next);
}

/**
 * Starts following the app's snapshot: listens to `snapshot` first, then asks `status`, then says
 * `ready`, so nothing between the first answer and the first event is missed. A snapshot event
 * newer than the answer wins (compared by `takenAt`). Call it before the first render (main.tsx)
 * so the question is on its way while the page paints; useSnapshot() calls it too. Once per window.
 */
export function startSnapshot(): void {
  if (snapshotStarted) return;
  snapshotStarted = true;
  const newer = (b: AppSnapshot) => !snapshotState.snapshot || snapshotState.snapshot.takenAt <= b.takenAt;
  api.on('snapshot', (s) => {
    if (newer(s)) setSnapshotState({ snapshot: s, error: null });
  });
  void api.status().then((r) => {
    if (r.ok) {
      if (newer(r.value)) setSnapshotState({ snapshot: r.value, error: null });
    } else setSnapshotState({ ...snapshotState, error: r.diagnosis });
    sayReady();
  });
}

/** The app's snapshot, kept current (see startSnapshot). */
export function useSnapshot(): SnapshotState {
  startSnapshot();
  const [state, setState] = useState(snapshotState);
  useEffect(() => {
    snapshotListeners.add(setState);
    // An answer that came between the render and this effect.
    setState(snapshotState);
    return () => void snapshotListeners.delete(setState);
  }, []);
  return state;
}

/** Calls `listener` for every `event` while the component is mounted (always the latest listener). */
export function useEvent<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.on(event, (p) => ref.current(p)), [event]);
}

// ---- one clock for every relative time in the window ---------------------------------------------

const clockListeners = new Set<(now: number) => void>();
let clockTimer: ReturnType<typeof setInterval> | null = null;

function tick() {
  const now = Date.now();
  for (const l of clockListeners) l(now);
}

function subscribeClock(listener: (now: number) => void, everyMs: number): () => void {
  clockListeners.add(listener);
  // One interval at the finest resolution anyone asked for; "2 hours ago" is re-rendered only when its text changes.
  if (!clockTimer) {
    clockTimer = setInterval(tick, everyMs);
    document.addEventListener('visibilitychange', onVisible);
  }
  return () => {
    clockListeners.delete(listener);
    if (clockListeners.size === 0 && clockTimer) {
      clearInterval(clockTimer);
      clockTimer = null;
      document.removeEventListener('visibilitychange', onVisible);
    }
  };
}

function onVisible() {
  // A window shown again after a night in the background must not say "just now".
  if (document.visibilityState === 'visible') tick();
}

/** The current time, updated every `everyMs` (1 s for a running clock, 15 s for "2 hours ago"). */
export function useNow(everyMs = 15_000): Date {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let last = Date.now();
    return subscribeClock((t) => {
      if (t - last >= everyMs - 50) {
        last = t;
        setNow(t);
      }
    }, 1000);
  }, [everyMs]);
  return new Date(now);
}
