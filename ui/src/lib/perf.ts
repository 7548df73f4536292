// Timings for the benchmark (tests/bench/desktop.mjs reads them from
// window.__guichetPerf): the app's start to the first painted list, and how
// long each list update took from the change (a view, a filter, a key typed
// in the search box) to its rows painted. Numbers only, no ticket data.
export interface ListUpdate {
  /// From the change to the rows painted.
  ms: number;
  /// Of which: from the change to the page's arrival from the Rust side.
  fetchMs: number;
  total: number;
}

export interface PerfLog {
  /// Milliseconds from the process's start to the first list painted, as the Rust side counts them.
  startupMs: number | null;
  updates: ListUpdate[];
}

export const perf: PerfLog = { startupMs: null, updates: [] };
(globalThis as unknown as { __guichetPerf: PerfLog }).__guichetPerf = perf;

/// Resolves once the browser has painted what the DOM holds now.
export function afterPaint(): Promise<number> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== "function") return resolve(performance.now());
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
  });
}
