import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { Button } from '../shared/components.js';
import { useEvent } from '../shared/hooks.js';
import { formatCount } from '../shared/format.js';
import type { ProfileSnapshot } from '../shared/types.js';
import { appendBounded, display, fromRun, joinTail, LOG_LINES, toLines, type LogLine } from './log-lines.js';

/**
 * The last LOG_LINES lines of the profile's current or last run: the run log's tail, then the live
 * batches. The DOM holds one node per line and never more than LOG_LINES of them, however fast
 * borg writes. It follows new lines while scrolled to the bottom; scrolled up, it holds still and
 * counts what arrived until the user comes back down.
 */
export function LogPane({
  profiles,
  selected,
  onSelect,
}: {
  profiles: ProfileSnapshot[];
  selected: ProfileSnapshot;
  onSelect: (id: string) => void;
}) {
  const headingId = useId();
  const selectId = useId();
  const profile = selected.id;
  const runStart = selected.run?.startedAt ?? (selected.state === 'running' ? null : (selected.lastRun?.startedAt ?? null));
  const [shown, setShown] = useState<LogLine[]>([]);
  const [file, setFile] = useState<string | null>(null);
  const [held, setHeld] = useState(0);
  const [scrolledUp, setScrolledUp] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  /** Lines that came while the user was scrolled up. */
  const pending = useRef<LogLine[]>([]);
  /** Live lines that came while the tail was being read; null when not reading. */
  const reading = useRef<string[] | null>(null);
  const stuck = useRef(true);
  /**
   * Where the pane was last pinned to its end. Above it and away from the end is the user's scroll up,
   * even before its scroll event has come (a batch arriving first would pin the pane back down).
   * A window made taller clamps scrollTop but stays at the end; one made shorter leaves scrollTop as it was.
   */
  const pinnedAt = useRef(0);

  useEffect(() => {
    let alive = true;
    setShown([]);
    setHeld(0);
    setScrolledUp(false);
    pending.current = [];
    stuck.current = true;
    reading.current = [];
    void api.logTail({ profile, lines: LOG_LINES }).then((r) => {
      if (!alive) return;
      const live = reading.current ?? [];
      reading.current = null;
      const tail = r.ok ? r.value.lines.filter((l) => fromRun(l, runStart)) : [];
      setFile(r.ok ? r.value.file : null);
      setShown(toLines(joinTail(tail, live).slice(-LOG_LINES)));
    });
    return () => {
      alive = false;
    };
  }, [profile, runStart]);

  useEvent('log', (e) => {
    if (e.profile !== profile) return;
    const texts = e.lines.length > LOG_LINES ? e.lines.slice(-LOG_LINES) : e.lines;
    const fresh = runStart ? texts.filter((l) => fromRun(l, runStart)) : texts;
    if (!fresh.length) return;
    if (reading.current) {
      reading.current = [...reading.current, ...fresh].slice(-LOG_LINES);
      return;
    }
    const lines = toLines(fresh);
    const el = box.current;
    if (stuck.current && el && el.scrollTop < pinnedAt.current - 4 && el.scrollHeight - el.scrollTop - el.clientHeight >= 4) {
      stuck.current = false;
      setScrolledUp(true);
    }
    if (!stuck.current) {
      pending.current = appendBounded(pending.current, lines);
      setHeld((n) => n + fresh.length + e.dropped);
      return;
    }
    setShown((prev) => appendBounded(prev, lines));
  });

  useLayoutEffect(() => {
    const el = box.current;
    if (el && stuck.current) {
      el.scrollTop = el.scrollHeight;
      pinnedAt.current = el.scrollTop;
    }
  }, [shown]);

  const release = () => {
    stuck.current = true;
    setScrolledUp(false);
    if (pending.current.length) setShown((prev) => appendBounded(prev, pending.current));
    pending.current = [];
    setHeld(0);
  };

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 4;
    if (atBottom && !stuck.current) release();
    else if (!atBottom && stuck.current) {
      stuck.current = false;
      setScrolledUp(true);
    }
  };

  const jump = () => {
    release();
    const el = box.current;
    if (el) {
      el.scrollTop = el.scrollHeight;
      pinnedAt.current = el.scrollTop;
    }
  };

  return (
    <section class="log" aria-labelledby={headingId}>
      <header class="log-head">
        <h2 id={headingId}>Log</h2>
        {profiles.length > 1 ? (
          <>
            <label for={selectId} class="visually-hidden">
              Show the log of
            </label>
            <select id={selectId} class="select" value={profile} onChange={(e) => onSelect((e.target as HTMLSelectElement).value)}>
              {profiles.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <span class="spacer" />
        {/* Only beside a log that has lines: nothing to open when "This run wrote no log". */}
        {file && shown.length > 0 ? (
          <Button small onClick={() => void api.openLog({ profile })}>
            Open Full Log
          </Button>
        ) : null}
      </header>
      <div
        ref={box}
        class="log-lines mono selectable"
        role="log"
        aria-live="off"
        aria-label={`Log of ${selected.name}, the last ${LOG_LINES} lines`}
        tabIndex={0}
        onScroll={onScroll}
      >
        {shown.length === 0 ? (
          <div class="log-empty secondary">
            {selected.state === 'running' ? 'Waiting for borg…' : runStart ? 'This run wrote no log.' : 'No backups yet.'}
          </div>
        ) : (
          shown.map((l) => <div key={l.id}>{display(l.text)}</div>)
        )}
      </div>
      {scrolledUp ? (
        <Button small class="log-jump" onClick={jump}>
          {held > 0 ? `${formatCount(held)} new ${held === 1 ? 'line' : 'lines'} — Show Latest` : 'Show Latest'}
        </Button>
      ) : null}
    </section>
  );
}
