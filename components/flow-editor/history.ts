/**
 * Undo/redo over whole documents (they are small, and sharing unchanged
 * nodes between snapshots keeps the cost down). Typing in one field merges
 * into one step, so Ctrl+Z undoes a word, not a letter.
 */

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** What the last step was, for merging: the same key within MERGE_WINDOW_MS replaces instead of adding a step. */
  lastKey?: string;
  lastAt?: number;
}

export const HISTORY_LIMIT = 100;
const MERGE_WINDOW_MS = 1000;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

export interface StepOptions {
  /** Steps with the same key close together merge (e.g. `config:menu_1:prompt`). */
  mergeKey?: string;
  at?: number;
}

export function record<T>(history: History<T>, next: T, options: StepOptions = {}): History<T> {
  if (next === history.present) return history;
  const at = options.at ?? Date.now();
  const merges =
    options.mergeKey !== undefined &&
    options.mergeKey === history.lastKey &&
    history.lastAt !== undefined &&
    at - history.lastAt <= MERGE_WINDOW_MS;
  const past = merges ? history.past : [...history.past, history.present].slice(-HISTORY_LIMIT);
  return { past, present: next, future: [], lastKey: options.mergeKey, lastAt: at };
}

/** Changes the present without a step of its own (node positions while dragging; the step was taken at drag start). */
export function replacePresent<T>(history: History<T>, next: T): History<T> {
  return next === history.present ? history : { ...history, present: next, lastKey: undefined };
}

/** Starts a step whose changes arrive later through replacePresent. */
export function checkpoint<T>(history: History<T>): History<T> {
  return { past: [...history.past, history.present].slice(-HISTORY_LIMIT), present: history.present, future: [] };
}

/** Drops a checkpoint that ended up changing nothing (a click on a node without moving it). */
export function dropEmptyCheckpoint<T>(history: History<T>, same: (a: T, b: T) => boolean): History<T> {
  const previous = history.past.at(-1);
  return previous !== undefined && same(previous, history.present) ? { ...history, past: history.past.slice(0, -1) } : history;
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past.at(-1);
  if (previous === undefined) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest };
}
