/**
 * Notifications: the policy (src/app/notifications.ts) decides what is said and when; this shows
 * it and opens the status window on a click. Every run reaches the policy through one gate, keyed by
 * the run (profile and start), whether this process made it (run-finished) or another did (the last
 * record of a snapshot). The policy's memory is kept in state/notifications.json, so a relaunch does
 * not tell again a trouble already told.
 */
import fs from 'node:fs/promises';
import { Notification } from 'electron';
import type { Engine } from '../src/engine.js';
import type { RunRecord } from '../src/records.js';
import type { EngineSnapshot } from '../src/engine/status.js';
import {
  destinationOf,
  isNewRun,
  memoryFromJson,
  withRun,
  notificationsFor,
  prefsFromSettings,
  type AppNotification,
  type NotifyEvent,
  type NotifyMemory,
} from '../src/app/notifications.js';
import type { AppMenuWords } from '../src/app/app-words.js';
import { appSettings } from '../src/profiles/schema.js';
import { writeFileAtomic } from '../src/profiles/store.js';

export interface NotifyOptions {
  /** Records that ended before this are what the app found at launch: not news when nothing was told yet. */
  launchedAt?: Date;
  menu?: AppMenuWords;
  /** The OS's locale for dates and times (app.getSystemLocale()): times in notifications read as in the menu. */
  locale?: string;
}

async function readMemory(file: string): Promise<NotifyMemory> {
  try {
    return memoryFromJson(JSON.parse(await fs.readFile(file, 'utf8')));
  } catch {
    return { profiles: {} };
  }
}

export async function wireNotifications(engine: Engine, open: (profile: string) => void, opts: NotifyOptions = {}): Promise<() => void> {
  const file = engine.paths.notifyMemory;
  let memory = await readMemory(file);
  let written = JSON.stringify(memory);
  let writing: Promise<void> = Promise.resolve();
  const keep = () => {
    const text = JSON.stringify(memory);
    if (text === written) return;
    written = text;
    writing = writing.then(() => writeFileAtomic(file, `${text}\n`).catch(() => {}));
  };
  const say = (event: NotifyEvent) => {
    const r = notificationsFor(memory, event, prefsFromSettings(appSettings(engine.config)), { menu: opts.menu });
    memory = r.memory;
    keep();
    for (const n of r.notify) show(n, open);
  };
  const consider = (record: RunRecord, runningNow: boolean) => {
    if (!isNewRun(memory, record)) return;
    const p = engine.profile(record.profile);
    // A run that ended before the app started, with nothing told about this profile yet, is not news.
    const launched = opts.launchedAt?.getTime();
    const known = memory.profiles[record.profile];
    if (launched !== undefined && known?.runs === undefined && Date.parse(record.finishedAt) < launched) {
      memory = { profiles: { ...memory.profiles, [record.profile]: { ...known, runs: withRun(undefined, record.startedAt) } } };
      keep();
      return;
    }
    say({
      type: 'run-finished',
      record,
      profileName: p?.name ?? record.profile,
      destination: destinationOf(record.repository ?? p?.repository ?? '', p?.volume ?? null),
      runningNow,
      now: new Date(),
      locale: opts.locale,
    });
  };
  const finished = (record: RunRecord) => consider(record, engine.isRunning(record.profile));
  const snapshot = (s: EngineSnapshot) => {
    for (const p of s.profiles) if (p.lastRun) consider(p.lastRun, p.run !== null || p.runningElsewhere !== null);
    say({ type: 'snapshot', snapshot: s, now: new Date() });
  };
  engine.on('run-finished', finished);
  engine.on('snapshot', snapshot);
  // What the app finds at launch (a run interrupted by a crash, recorded as this process started) is
  // weighed now, not at the next change.
  snapshot(await engine.snapshot());
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
