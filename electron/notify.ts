/**
 * Notifications: the policy (src/app/notifications.ts) decides what is said and when; this shows
 * it and opens the status window on a click. The policy's memory lives here for the app's lifetime.
 */
import { Notification } from 'electron';
import type { Engine } from '../src/engine.js';
import type { RunRecord } from '../src/records.js';
import type { EngineSnapshot } from '../src/engine/status.js';
import {
  EMPTY_MEMORY,
  notificationsFor,
  prefsFromSettings,
  type AppNotification,
  type NotifyEvent,
  type NotifyMemory,
} from '../src/app/notifications.js';
import { appSettings } from '../src/profiles/schema.js';

/** Identifies one run across the record of this process and the snapshot's last record. */
const runKey = (r: RunRecord) => `${r.profile}|${r.startedAt}|${r.finishedAt}`;

export function wireNotifications(engine: Engine, open: (profile: string) => void): () => void {
  let memory: NotifyMemory = EMPTY_MEMORY;
  const say = (event: NotifyEvent) => {
    const r = notificationsFor(memory, event, prefsFromSettings(appSettings(engine.config)));
    memory = r.memory;
    for (const n of r.notify) show(n, open);
  };
  const announce = (record: RunRecord) => {
    const p = engine.profile(record.profile);
    say({
      type: 'run-finished',
      record,
      profileName: p?.name ?? record.profile,
      retryPlanned: engine.retryPlan(record.profile) !== null,
      now: new Date(),
    });
  };
  // Runs of this process, and the last run of each profile as the snapshots saw it: a run another
  // process made (the daemon's schedule, a CLI run) is told too, once, when its record appears.
  const told = new Set<string>();
  let seen: Map<string, string> | null = null;
  const finished = (record: RunRecord) => {
    told.add(runKey(record));
    // The trigger controller plans a retry as the run ends; let it, so the policy knows.
    setImmediate(() => announce(record));
  };
  const snapshot = (s: EngineSnapshot) => {
    const last = new Map(s.profiles.flatMap((p) => (p.lastRun ? [[p.id, runKey(p.lastRun)] as const] : [])));
    if (seen) {
      for (const p of s.profiles) {
        const key = last.get(p.id);
        if (p.lastRun && key && key !== seen.get(p.id) && !told.has(key)) {
          told.add(key);
          announce(p.lastRun);
        }
      }
    }
    // What was there when the app started is not news.
    seen = last;
    say({ type: 'snapshot', snapshot: s, now: new Date() });
  };
  engine.on('run-finished', finished);
  engine.on('snapshot', snapshot);
  return () => {
    engine.off('run-finished', finished);
    engine.off('snapshot', snapshot);
  };
}

function show(n: AppNotification, open: (profile: string) => void): void {
  if (!Notification.isSupported()) return;
  const note = new Notification({ title: n.title, body: n.body, silent: n.kind === 'success' });
  note.on('click', () => open(n.profile));
  note.show();
}
