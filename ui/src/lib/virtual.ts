// The window of rows a virtualised list draws, and the pages it must fetch.

export interface Window {
  first: number;
  last: number; // exclusive
}

/// The most rows a window holds, whatever height the layout reports: a
/// layout that lets the scroller grow to its content must not make the list
/// draw (and fetch) every row.
export const MAX_WINDOW_ROWS = 300;

export function visibleWindow(scrollTop: number, height: number, rowHeight: number, total: number, overscan = 10): Window {
  height = Math.min(height, (MAX_WINDOW_ROWS - 2 * overscan) * rowHeight);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/// The page numbers covering a window.
export function pagesFor(w: Window, pageSize: number): number[] {
  if (w.last <= w.first) return [];
  const out: number[] = [];
  for (let p = Math.floor(w.first / pageSize); p <= Math.floor((w.last - 1) / pageSize); p++) out.push(p);
  return out;
}

/// Moves a selection by `delta` within `total` rows.
export function moveSelection(current: number, delta: number, total: number): number {
  if (total === 0) return -1;
  if (current < 0) return delta > 0 ? 0 : total - 1;
  return Math.min(total - 1, Math.max(0, current + delta));
}

/// The scrollTop that brings `index` into view, or the current one if it is visible.
export function scrollToShow(index: number, scrollTop: number, height: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + height) return top + rowHeight - height;
  return scrollTop;
}
