/**
 * The contents of one folder (or a search's results) as a multi-select list box that draws only
 * the rows in view: 10,000 entries cost what the 30 visible ones cost. Focus stays on the list;
 * the row under the cursor is its active descendant, always drawn and scrolled into view.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { FolderEntry } from './types.js';
import { rowWindow, scrollToShow, pageRows } from './virtual.js';
import { click, onKey, type ListState } from './selection.js';
import { kindWord, modifiedWord, sizeWord, folderOf } from './words.js';

/** Fixed by the stylesheet (.row height): the windowing counts on it. */
export const ROW_HEIGHT = 24;

export interface FileListProps {
  id: string;
  label: string;
  entries: readonly FolderEntry[];
  state: ListState;
  onState(next: ListState): void;
  onOpen(entry: FolderEntry): void;
  onUp(): void;
  /** The next list is on its way. */
  busy?: boolean;
  /** Search results show the folder each is in instead of the date. */
  showFolder?: boolean;
  now: Date;
  mac: boolean;
}

export function FileList({ id, label, busy, entries, state, onState, onOpen, onUp, showFolder, now, mac }: FileListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  const frame = useRef(0);
  const keys = entries.map((e) => e.path);
  const selected = new Set(state.selected);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A new list starts at its top (or where its cursor is).
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const top = state.cursor >= 0 ? scrollToShow(state.cursor, ROW_HEIGHT, 0, el.clientHeight) : 0;
    el.scrollTop = top;
    setScrollTop(top);
    // The keyboard is here: show where it is at once (the first row), without selecting anything.
    if (state.cursor < 0 && entries.length > 0 && document.activeElement === el) onState({ ...state, cursor: 0, anchor: 0 });
    // Only when the list itself changes, not on every move of the cursor.
  }, [entries]);

  // The cursor is always in view (and so always drawn: it is the list's active descendant).
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || state.cursor < 0) return;
    const top = scrollToShow(state.cursor, ROW_HEIGHT, el.scrollTop, el.clientHeight);
    if (top !== el.scrollTop) {
      el.scrollTop = top;
      setScrollTop(top);
    }
  }, [state.cursor]);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  useLayoutEffect(() => void performance.mark('dandelion:rows'), [scrollTop]);

  const onScroll = () => {
    if (frame.current) return;
    // One redraw per frame however many scroll events come.
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      // The browser test measures from here to the rows drawn (dandelion:rows): the list's work per frame.
      performance.mark('dandelion:scroll');
      if (box.current) setScrollTop(box.current.scrollTop);
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const cmd = onKey(e.key, { shift: e.shiftKey, meta: e.metaKey, ctrl: e.ctrlKey }, state, keys, pageRows(ROW_HEIGHT, viewport), mac);
    if (cmd.type === 'none') return;
    e.preventDefault();
    if (cmd.type === 'state') onState(cmd.state);
    else if (cmd.type === 'open') onOpen(entries[cmd.index]!);
    else onUp();
  };

  const w = rowWindow(entries.length, ROW_HEIGHT, scrollTop, viewport);
  const rows: preact.JSX.Element[] = [];
  for (let i = w.start; i < w.end; i++) {
    const e = entries[i]!;
    const isSelected = selected.has(e.path);
    rows.push(
      <div
        // Keyed by slot, not by path: a scroll reuses the rows' elements and only changes their text.
        key={i - w.start}
        id={`${id}-row-${i}`}
        role="option"
        aria-selected={isSelected}
        aria-setsize={entries.length}
        aria-posinset={i + 1}
        class={['row', `type-${e.type}`, isSelected && 'selected', i === state.cursor && 'cursor'].filter(Boolean).join(' ')}
        onMouseDown={(ev) => {
          // Keep focus on the list (the row is not focusable itself); a double click opens.
          ev.preventDefault();
          box.current?.focus();
          onState(click(state, i, keys, { shift: ev.shiftKey, meta: ev.metaKey, ctrl: ev.ctrlKey }));
        }}
        onDblClick={() => onOpen(e)}
      >
        <span class="col-name">
          <span class="icon" aria-hidden="true" />
          <span class="name">{e.name}</span>
        </span>
        <span class="col-date">{showFolder ? folderOf(e.path) || '/' : modifiedWord(e.mtime, now)}</span>
        <span class="col-size">{sizeWord(e)}</span>
        <span class="col-kind">{kindWord(e.type)}</span>
      </div>,
    );
  }

  const active = state.cursor >= 0 && state.cursor < entries.length ? `${id}-row-${state.cursor}` : undefined;
  return (
    <div
      ref={box}
      id={id}
      class="list-scroll"
      role="listbox"
      aria-label={label}
      aria-multiselectable="true"
      aria-activedescendant={active}
      aria-busy={busy ? 'true' : undefined}
      tabIndex={0}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
      onFocus={() => {
        // The first arrow press should not be needed to see where the keyboard is.
        if (state.cursor < 0 && entries.length > 0) onState({ ...state, cursor: 0, anchor: 0 });
      }}
    >
      <div class="list-spacer" style={{ height: `${w.height}px` }}>
        <div class="list-rows" style={{ transform: `translateY(${w.offset}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
