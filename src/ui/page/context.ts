/** What every view of the page reads: the latest state, derived lookups, and the selection. */
import type { FinishedInfo, PageTask, UiState } from '../protocol.js';

export interface Context {
  readonly state: UiState;
  /** Live tasks by id. */
  readonly live: ReadonlyMap<string, PageTask>;
  /** Finished tasks by id (the latest entry). */
  readonly finished: ReadonlyMap<string, FinishedInfo>;
  /** Names of live and finished tasks by id. */
  readonly names: ReadonlyMap<string, string>;
  /** Ids of tasks on a deadlock cycle. */
  readonly deadlocked: ReadonlySet<string>;
  readonly selected: string | null;
}

export function makeContext(state: UiState, selected: string | null): Context {
  const live = new Map<string, PageTask>();
  const finished = new Map<string, FinishedInfo>();
  const names = new Map<string, string>();
  for (const task of state.snapshot?.finished ?? []) {
    finished.set(task.id, task);
    names.set(task.id, task.name);
  }
  for (const task of state.snapshot?.tasks ?? []) {
    live.set(task.id, task);
    names.set(task.id, task.name);
  }
  const deadlocked = new Set<string>();
  for (const cycle of state.deadlocks) for (const id of cycle) deadlocked.add(id);
  return { state, live, finished, names, deadlocked, selected };
}

/** What views call back into. */
export interface Actions {
  /** Selects a task (or nothing); `reveal` also opens the tree down to it and scrolls to it. */
  select(id: string | null, reveal?: boolean): void;
}
