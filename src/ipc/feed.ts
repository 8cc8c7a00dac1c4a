/**
 * What a window hears, taken from the engine's events: snapshots (with what only the app knows),
 * live progress, log batches and finished runs, the progress and records of restores, checks and
 * drills, and a folder's entries while an archive is read for the first time, pushed into the window's Outbox, which batches and holds them. The main process and the
 * browser tests wire windows with this one function.
 */
import type { Engine, LiveProgress, OpProgress, OpRecord } from '../engine.js';
import type { RunRecord } from '../records.js';
import type { AppSnapshot, EventMessage, EventPayloads } from './contract.js';
import type { EngineSnapshot } from '../engine/status.js';

export interface FeedTarget {
  push(message: EventMessage): void;
}

/** Starts feeding `target`; returns the unsubscribe. `app` adds the app's own part to each snapshot. */
export function feedWindow(engine: Engine, target: FeedTarget, app: (s: EngineSnapshot) => AppSnapshot): () => void {
  const onSnapshot = (s: EngineSnapshot) => target.push({ event: 'snapshot', payload: app(s) });
  const progress = (e: { profile: string; progress: LiveProgress }) => target.push({ event: 'progress', payload: e });
  const log = (e: { profile: string; lines: string[] }) => target.push({ event: 'log', payload: { ...e, dropped: 0 } });
  const finished = (record: RunRecord) => target.push({ event: 'run-finished', payload: record });
  const opProgress = (e: { profile: string; progress: OpProgress }) => target.push({ event: 'op-progress', payload: e });
  const opFinished = (record: OpRecord) => target.push({ event: 'op-finished', payload: record });
  const partial = (e: EventPayloads['folder-partial']) => target.push({ event: 'folder-partial', payload: e });
  engine.on('snapshot', onSnapshot);
  engine.on('folder-partial', partial);
  engine.on('op-progress', opProgress);
  engine.on('op-finished', opFinished);
  engine.on('progress', progress);
  engine.on('log', log);
  engine.on('run-finished', finished);
  return () => {
    engine.off('snapshot', onSnapshot);
    engine.off('progress', progress);
    engine.off('log', log);
    engine.off('run-finished', finished);
    engine.off('op-progress', opProgress);
    engine.off('op-finished', opFinished);
    engine.off('folder-partial', partial);
  };
}
