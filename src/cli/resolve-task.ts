/**
 * Which task a TASK argument (`where PID TASK`, `cancel PID TASK`) names, looked up in a snapshot —
 * its live tasks and its history of recently finished ones. In order, the first rule that matches
 * decides:
 * 1. the exact id (`CXHj0n.1k`);
 * 2. the end of an id: the part after its dot (`1k`), or any tail that includes the dot (`0n.1k`);
 * 3. the task's name (`lock-a`).
 * One match names the task; several are ambiguous and listed. A pure function of the snapshot.
 */
import { liveState } from '../inspect/filter.js';
import type { Snapshot } from '../inspect/schema.js';

/** A task TASK matched. */
export interface TaskMatch {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  /** `running`, `cancelling`, `queued`, or `finished (cancelled)` etc. for the history. */
  readonly state: string;
  /** How a finished task ended (`cancelled`, `fulfilled`, `rejected`); null for a live task. */
  readonly outcome: string | null;
}

export type MatchRule = 'id' | 'id suffix' | 'name';

export type Resolution =
  | { readonly kind: 'found'; readonly rule: MatchRule; readonly task: TaskMatch }
  | { readonly kind: 'ambiguous'; readonly rule: MatchRule; readonly matches: readonly TaskMatch[] }
  | { readonly kind: 'none' };

function candidates(snapshot: Snapshot): TaskMatch[] {
  const out: TaskMatch[] = [];
  const seen = new Set<string>();
  for (const task of snapshot.tasks) {
    seen.add(task.id);
    out.push({ id: task.id, name: task.name, path: task.path, state: liveState(task), outcome: null });
  }
  // Newest first, so that a task finished twice in the history (it cannot be) would show once.
  for (let i = snapshot.finished.length - 1; i >= 0; i--) {
    const task = snapshot.finished[i];
    if (task === undefined || seen.has(task.id)) continue;
    seen.add(task.id);
    out.push({ id: task.id, name: task.name, path: task.path, state: `finished (${task.outcome})`, outcome: task.outcome });
  }
  return out;
}

function endsId(id: string, query: string): boolean {
  if (query.includes('.')) return id.length > query.length && id.endsWith(query);
  const dot = id.lastIndexOf('.');
  return dot !== -1 && id.slice(dot + 1) === query;
}

/** Resolves `query` against the live and recently finished tasks of `snapshot` (see the module comment). */
export function resolveTask(snapshot: Snapshot, query: string): Resolution {
  const all = candidates(snapshot);
  const rules: ReadonlyArray<readonly [MatchRule, (task: TaskMatch) => boolean]> = [
    ['id', (task) => task.id === query],
    ['id suffix', (task) => endsId(task.id, query)],
    ['name', (task) => task.name === query],
  ];
  for (const [rule, test] of rules) {
    const matches = all.filter(test);
    if (matches.length === 1) return { kind: 'found', rule, task: matches[0] as TaskMatch };
    if (matches.length > 1) return { kind: 'ambiguous', rule, matches };
  }
  return { kind: 'none' };
}

/** At most this many matches are listed when TASK is ambiguous. */
export const MAX_LISTED = 20;

/** The lines listing ambiguous matches: `  id  path  state`, aligned, cut at {@link MAX_LISTED}. */
export function listMatches(matches: readonly TaskMatch[]): string[] {
  const shown = matches.slice(0, MAX_LISTED);
  const idWidth = Math.max(...shown.map((m) => m.id.length));
  const pathWidth = Math.min(60, Math.max(...shown.map((m) => m.path.length)));
  const lines = shown.map((m) => {
    const path = m.path.length > pathWidth ? `${m.path.slice(0, pathWidth - 1)}…` : m.path.padEnd(pathWidth);
    return `  ${m.id.padEnd(idWidth)}  ${path}  ${m.state}`;
  });
  if (matches.length > shown.length) lines.push(`  … and ${matches.length - shown.length} more`);
  return lines;
}
