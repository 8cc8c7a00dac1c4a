/**
 * The file list's keyboard and selection, as a multi-select list box (WAI-ARIA: selection does not
 * follow focus) that a Finder user also recognises. Pure: a key or a click and the state in, the
 * next state (or what to do) out. Rows are named by their archive path, so a selection survives the
 * list being redrawn.
 *
 *   ↑ ↓ Home End PageUp PageDown   move the cursor (Shift: select from the anchor to the cursor)
 *   Space                          select or deselect the row under the cursor
 *   ⌘A / Ctrl+A                    select every row; Escape selects none
 *   Return, ⌘↓                     open: a folder shows its contents, a file its versions
 *   Backspace, ⌘↑                  go up to the enclosing folder
 */

export interface ListState {
  /** The row the keyboard is on (-1: none yet). */
  cursor: number;
  /** Where a Shift selection starts. */
  anchor: number;
  /** The archive paths selected, in the order of the list. */
  selected: readonly string[];
}

export const EMPTY: ListState = { cursor: -1, anchor: -1, selected: [] };

export interface Mods {
  shift?: boolean;
  meta?: boolean;
  ctrl?: boolean;
}

export type ListCommand = { type: 'state'; state: ListState } | { type: 'open'; index: number } | { type: 'up' } | { type: 'none' };

function clamp(i: number, count: number): number {
  return Math.min(Math.max(i, 0), count - 1);
}

/** The paths of rows `a`..`b` (either order), in list order. */
function range(keys: readonly string[], a: number, b: number): string[] {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return keys.slice(lo, hi + 1);
}

/** Keeps `selected` in list order and without duplicates. */
function ordered(keys: readonly string[], selected: ReadonlySet<string>): string[] {
  return keys.filter((k) => selected.has(k));
}

/** The cursor moved to `to`: alone, or (Shift) selecting every row from the anchor to it. */
export function moveTo(state: ListState, to: number, keys: readonly string[], extend: boolean): ListState {
  if (keys.length === 0) return EMPTY;
  const cursor = clamp(to, keys.length);
  if (!extend) return { ...state, cursor, anchor: cursor };
  const anchor = state.anchor >= 0 ? clamp(state.anchor, keys.length) : state.cursor >= 0 ? state.cursor : cursor;
  return { cursor, anchor, selected: range(keys, anchor, cursor) };
}

/** Space: the row under the cursor in or out of the selection (the first row when there is no cursor yet). */
export function toggle(state: ListState, keys: readonly string[]): ListState {
  if (keys.length === 0) return state;
  const cursor = state.cursor >= 0 ? clamp(state.cursor, keys.length) : 0;
  const key = keys[cursor]!;
  const set = new Set(state.selected);
  if (set.has(key)) set.delete(key);
  else set.add(key);
  return { cursor, anchor: cursor, selected: ordered(keys, set) };
}

/** A click: that row alone (as Finder), ⌘/Ctrl adds or removes it, Shift selects from the anchor. */
export function click(state: ListState, index: number, keys: readonly string[], mods: Mods = {}): ListState {
  if (index < 0 || index >= keys.length) return state;
  if (mods.shift) return moveTo(state, index, keys, true);
  if (mods.meta || mods.ctrl) return toggle({ ...state, cursor: index }, keys);
  return { cursor: index, anchor: index, selected: [keys[index]!] };
}

/** What a key does in the list. `page` is how many rows PageUp/PageDown move. `mac`: ⌘ is the command key (else Ctrl). */
export function onKey(key: string, mods: Mods, state: ListState, keys: readonly string[], page: number, mac = true): ListCommand {
  const command = mac ? !!mods.meta : !!mods.ctrl;
  const n = keys.length;
  const here = state.cursor;
  const move = (to: number): ListCommand => (n === 0 ? { type: 'none' } : { type: 'state', state: moveTo(state, to, keys, !!mods.shift) });
  switch (key) {
    case 'ArrowDown':
      if (command) return here >= 0 && n > 0 ? { type: 'open', index: clamp(here, n) } : { type: 'none' };
      return move(here < 0 ? 0 : here + 1);
    case 'ArrowUp':
      if (command) return { type: 'up' };
      return move(here < 0 ? 0 : here - 1);
    case 'Home':
      return move(0);
    case 'End':
      return move(n - 1);
    case 'PageDown':
      return move(here < 0 ? 0 : here + page);
    case 'PageUp':
      return move(here < 0 ? 0 : here - page);
    case ' ':
    case 'Spacebar':
      return n === 0 ? { type: 'none' } : { type: 'state', state: toggle(state, keys) };
    case 'Enter':
      return here >= 0 && n > 0 ? { type: 'open', index: clamp(here, n) } : { type: 'none' };
    case 'Backspace':
      return { type: 'up' };
    case 'Escape':
      return state.selected.length ? { type: 'state', state: { ...state, selected: [] } } : { type: 'none' };
    case 'a':
    case 'A':
      if (!command || n === 0) return { type: 'none' };
      return { type: 'state', state: { ...state, cursor: here < 0 ? 0 : here, selected: [...keys] } };
    default:
      return { type: 'none' };
  }
}

/** The state for a new list (another folder, a search): the cursor on `focus` when it is in it, nothing selected. */
export function freshState(keys: readonly string[], focus?: string | null): ListState {
  const at = focus ? keys.indexOf(focus) : -1;
  return at >= 0 ? { cursor: at, anchor: at, selected: [] } : EMPTY;
}

/** The same list redrawn (e.g. new data for the same folder): keeps the selected rows that are still there. */
export function carryOver(state: ListState, keys: readonly string[]): ListState {
  const have = new Set(keys);
  const selected = state.selected.filter((k) => have.has(k));
  const cursor = keys.length ? Math.min(state.cursor, keys.length - 1) : -1;
  return { cursor, anchor: Math.min(state.anchor, cursor), selected };
}

/** The cursor put on the row of `focus` (when it is in the list), the selection unchanged. */
export function withCursorOn(state: ListState, keys: readonly string[], focus: string | null): ListState {
  const at = focus === null ? -1 : keys.indexOf(focus);
  return at < 0 ? state : { ...state, cursor: at, anchor: at };
}
