import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Button } from '../shared/components.js';
import { useEvent, useSnapshot } from '../shared/hooks.js';
import type { EventPayloads, LiveProgress, ProfileSnapshot } from '../shared/types.js';

type OpProgress = EventPayloads['op-progress']['progress'];
import { AppBanners, EmptyState } from './app-banners.js';
import { announcement, seenOf, type Seen } from './announcer.js';
import { LogPane } from './log-pane.js';
import { ProfileCard } from './profile-card.js';
import { pausedGlance, pausedTitle } from './paused.js';
import { StatusUnreadable } from './rich-text.js';
import { glance } from './glance.js';

/** The status window: a card per profile, the log of one of them, what concerns them all. */
export function App() {
  const { snapshot, error } = useSnapshot();
  const [live, setLive] = useState<Record<string, LiveProgress>>({});
  const [ops, setOps] = useState<Record<string, OpProgress>>({});
  const [chosen, setChosen] = useState<string | null>(null);
  const [said, setSaid] = useState('');
  const seen = useRef(new Map<string, Seen>());

  useEvent('progress', (e) => setLive((prev) => ({ ...prev, [e.profile]: e.progress })));
  useEvent('run-finished', (r) =>
    setLive((prev) => {
      const { [r.profile]: _gone, ...rest } = prev;
      return rest;
    }),
  );
  useEvent('op-progress', (e) => {
    // A restore is the Browse window's to show; the card follows checks and drills.
    if (e.progress.kind !== 'restore') setOps((prev) => ({ ...prev, [e.profile]: e.progress }));
  });
  useEvent('op-finished', (r) =>
    setOps((prev) => {
      if (r.kind === 'restore') return prev;
      const { [r.profile]: _gone, ...rest } = prev;
      return rest;
    }),
  );
  // Main asks to show a profile (a tray item, a notification click): its log comes up.
  useEvent('navigate', (n) => {
    if (n.profile) setChosen(n.profile);
  });

  useEffect(() => {
    if (!snapshot) return;
    const lines: string[] = [];
    for (const p of snapshot.profiles) {
      const line = announcement(seen.current.get(p.id), p);
      if (line) lines.push(line);
      seen.current.set(p.id, seenOf(p));
    }
    if (lines.length) setSaid(lines.join(' '));
  }, [snapshot]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // ⌘, opens Preferences, as in every Mac app (Ctrl+, elsewhere).
      if (e.key === ',' && (e.metaKey || e.ctrlKey)) {
        e.preventDefault();
        void api.openWindow({ window: 'preferences' });
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useLayoutEffect(() => {
    // The first picture with data: the benchmark (bench/window-paint.mjs) measures up to here and the next frame.
    if (snapshot && !performance.getEntriesByName('dandelion:cards').length) {
      performance.mark('dandelion:cards');
      requestAnimationFrame(() => setTimeout(() => performance.mark('dandelion:cards-painted'), 0));
    }
  }, [snapshot]);

  if (!snapshot) {
    return error ? <StatusUnreadable error={error} class="status" /> : null;
  }

  const profiles = snapshot.profiles;
  const withLive = (p: ProfileSnapshot): LiveProgress | null => (p.state === 'running' ? (live[p.id] ?? null) : null);
  const running = profiles.find((p) => p.state === 'running');
  const logOf = profiles.find((p) => p.id === chosen) ?? running ?? profiles.find((p) => p.lastRun) ?? profiles[0];

  const top = pausedGlance(glance(snapshot), snapshot, new Date());
  const paused = pausedTitle(snapshot, new Date()) !== null;
  return (
    <main class="status">
      {profiles.length > 0 ? (
        <header class="window-bar">
          <p class={`glance tone-${top.tone}`}>
            <span class="dot" aria-hidden="true" />
            <span class="glance-text">{top.text}</span>
          </p>
          <Button onClick={() => void api.openWindow({ window: 'preferences' })} title="Preferences (⌘,)">
            Preferences…
          </Button>
        </header>
      ) : null}
      <div class="scroll">
        <div role="status" class="visually-hidden">
          {said}
        </div>
        <AppBanners s={snapshot} />
        {profiles.length === 0 && snapshot.configErrors.length === 0 ? <EmptyState /> : null}
        {profiles.map((p) => (
          <ProfileCard key={p.id} p={p} live={withLive(p)} op={ops[p.id] ?? null} platform={snapshot.app.platform} paused={paused} />
        ))}
        {profiles.length > 1 ? (
          <div class="button-row all">
            <span class="spacer" />
            <Button onClick={() => void api.runNow({ profile: 'all' })} disabled={profiles.every((p) => p.state === 'running')}>
              Back Up All Now
            </Button>
          </div>
        ) : null}
      </div>
      {logOf ? <LogPane profiles={profiles} selected={logOf} onSelect={setChosen} /> : null}
    </main>
  );
}
