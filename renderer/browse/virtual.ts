/**
 * The file list draws only the rows in view (plus a few either side), so a folder of 10,000 entries
 * costs what 30 rows cost. Pure: the rows to draw and where to scroll, from the list's geometry.
 */

export interface RowWindow {
  /** The first row drawn. */
  start: number;
  /** One past the last row drawn. */
  end: number;
  /** Where the first drawn row sits, in px from the top of the list. */
  offset: number;
  /** The whole list's height in px (what the scrollbar measures). */
  height: number;
}

/** Rows drawn above and below the visible ones, so a fast scroll does not show blank rows for a frame. */
export const OVERSCAN = 8;

/** The rows to draw for a list of `count` rows of `rowHeight` px scrolled to `scrollTop`, seen `viewport` px high. */
export function rowWindow(count: number, rowHeight: number, scrollTop: number, viewport: number, overscan = OVERSCAN): RowWindow {
  const height = count * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, height: Math.max(0, height) };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, height - viewport));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil((top + Math.max(0, viewport)) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, visible + overscan);
  return { start, end, offset: start * rowHeight, height };
}

/**
 * The scrollTop that brings row `index` into view with the least movement: unchanged when it is
 * already wholly visible, else the row at the top (moving up) or at the bottom (moving down).
 */
export function scrollToShow(index: number, rowHeight: number, scrollTop: number, viewport: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return scrollTop;
}

/** How many whole rows one page (PageUp / PageDown) moves. */
export function pageRows(rowHeight: number, viewport: number): number {
  return Math.max(1, Math.floor(viewport / rowHeight) - 1);
}
