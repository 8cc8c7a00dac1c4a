/**
 * Power: powerMonitor's events go to the supervisor's triggers; the Mac is kept from sleeping
 * exactly while a run of this process is active (released on every ending: success, error, cancel,
 * borg crashing); a shutdown cancels runs the checkpointing way.
 */
import { powerMonitor, powerSaveBlocker } from 'electron';
import type { Supervisor } from '../src/supervisor.js';
import type { Engine } from '../src/engine.js';

/** Power events as the supervisor wants them; returns the unwiring. */
export function wirePower(supervisor: Supervisor): () => void {
  const handlers = {
    resume: () => void supervisor.resume(),
    suspend: () => supervisor.suspend(),
    'on-battery': () => supervisor.setOnBattery(true),
    'on-ac': () => supervisor.setOnBattery(false),
    // Logging out or shutting down: borg gets SIGINT and writes a checkpoint while there is time.
    shutdown: () => void supervisor.engine.cancelAll(),
  } as const;
  for (const [event, handler] of Object.entries(handlers)) powerMonitor.on(event as 'resume', handler);
  return () => {
    for (const [event, handler] of Object.entries(handlers)) powerMonitor.off(event as 'resume', handler);
  };
}

/** Holds a 'prevent-app-suspension' blocker while any run of this engine is active. */
export function holdWhileRunning(engine: Engine): () => void {
  const running = new Set<string>();
  let blocker: number | null = null;
  const release = () => {
    if (blocker !== null && powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker);
    blocker = null;
  };
  const started = ({ profile }: { profile: string }) => {
    running.add(profile);
    if (blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
  };
  // A skipped run is recorded without having started: only a profile that started counts.
  const finished = ({ profile }: { profile: string }) => {
    if (running.delete(profile) && running.size === 0) release();
  };
  engine.on('run-started', started);
  engine.on('run-finished', finished);
  return () => {
    engine.off('run-started', started);
    engine.off('run-finished', finished);
    running.clear();
    release();
  };
}
