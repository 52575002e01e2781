/**
 * The table views' rows: live tasks and finished ones, filtered and sorted. Pure. Filters are
 * what people know from `docker ps --filter` and `kubectl -l`: a name (substring, any case), a
 * state, and attribute selectors `key`, `key=value`, `key!=value`, separated by commas or spaces.
 */
import { liveState } from './format.js';
import type { LiveState } from './format.js';
import type { FinishedInfo, PageTask, TaskInfo } from './protocol.js';

export type LiveColumn = 'name' | 'id' | 'state' | 'age' | 'wait' | 'for' | 'awaitedBy' | 'attributes' | 'path';
export type FinishedColumn = 'name' | 'id' | 'outcome' | 'duration' | 'settled' | 'why' | 'path';

export interface Sort<C extends string> {
  readonly column: C;
  readonly descending: boolean;
}

export interface LiveFilter {
  readonly name: string;
  /** `''` for every state. */
  readonly state: LiveState | 'deadlocked' | '';
  readonly attributes: string;
}

export interface FinishedFilter {
  readonly name: string;
  readonly outcome: FinishedInfo['outcome'] | '';
}

/** One attribute selector. */
export interface Selector {
  readonly key: string;
  /** `null`: the key must be present. */
  readonly value: string | null;
  readonly negate: boolean;
}

/** Parses `region=eu, tier!=free, canary` into selectors; blanks are ignored. */
export function parseSelectors(text: string): Selector[] {
  const selectors: Selector[] = [];
  for (const part of text.split(/[\s,]+/)) {
    if (part === '') continue;
    const ne = part.indexOf('!=');
    const eq = part.indexOf('=');
    if (ne > 0) selectors.push({ key: part.slice(0, ne), value: part.slice(ne + 2), negate: true });
    else if (eq > 0) selectors.push({ key: part.slice(0, eq), value: part.slice(eq + 1), negate: false });
    else selectors.push({ key: part, value: null, negate: false });
  }
  return selectors;
}

/** Whether a task's attributes satisfy every selector. */
export function matchesSelectors(attributes: TaskInfo['attributes'], selectors: readonly Selector[]): boolean {
  for (const { key, value, negate } of selectors) {
    const has = attributes !== null && Object.hasOwn(attributes, key);
    const actual = has ? String(attributes[key]) : null;
    const match = value === null ? has : actual === value;
    if (match === negate) return false;
  }
  return true;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const STATE_ORDER: Readonly<Record<LiveState, number>> = { queued: 0, running: 1, waiting: 2, cancelling: 3 };

function liveKey(task: TaskInfo, column: LiveColumn): number | string {
  switch (column) {
    case 'name':
      return task.name.toLowerCase();
    case 'id':
      return task.id;
    case 'state':
      return STATE_ORDER[liveState(task)];
    case 'age':
      return task.ageMs;
    case 'wait':
      return task.waitingOn === null ? '' : task.waitingOn.kind;
    case 'for':
      return task.waitingOn?.forMs ?? -1;
    case 'awaitedBy':
      return task.awaitedBy.length;
    case 'attributes':
      return attributesText(task.attributes);
    case 'path':
      return task.path.toLowerCase();
  }
}

/** `region=eu route=/user` */
export function attributesText(attributes: TaskInfo['attributes']): string {
  return attributes === null ? '' : Object.entries(attributes).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

function sorted<T>(items: T[], key: (item: T) => number | string, descending: boolean): T[] {
  const keyed = items.map((item, index) => ({ item, index, key: key(item) }));
  keyed.sort((a, b) => {
    const c = typeof a.key === 'number' && typeof b.key === 'number' ? a.key - b.key : compareText(String(a.key), String(b.key));
    // Stable: equal keys keep the snapshot's order (parents before children).
    return c === 0 ? a.index - b.index : descending ? -c : c;
  });
  return keyed.map((k) => k.item);
}

/** Live tasks that pass `filter`, in `sort` order. */
export function liveRows(tasks: readonly PageTask[], filter: LiveFilter, sort: Sort<LiveColumn>, deadlocked: ReadonlySet<string>): PageTask[] {
  const name = filter.name.trim().toLowerCase();
  const selectors = parseSelectors(filter.attributes);
  const kept = tasks.filter((task) => {
    if (name !== '' && !task.name.toLowerCase().includes(name) && !task.id.toLowerCase().includes(name)) return false;
    if (filter.state === 'deadlocked' ? !deadlocked.has(task.id) : filter.state !== '' && liveState(task) !== filter.state) return false;
    return matchesSelectors(task.attributes, selectors);
  });
  return sorted(kept, (task) => liveKey(task, sort.column), sort.descending);
}

function finishedKey(task: FinishedInfo, column: FinishedColumn): number | string {
  switch (column) {
    case 'name':
      return task.name.toLowerCase();
    case 'id':
      return task.id;
    case 'outcome':
      return task.outcome;
    case 'duration':
      return task.durationMs;
    case 'settled':
      return task.settledAt;
    case 'why':
      return task.error ?? task.cancelled?.message ?? '';
    case 'path':
      return task.path.toLowerCase();
  }
}

/** Finished tasks that pass `filter`, in `sort` order. */
export function finishedRows(tasks: readonly FinishedInfo[], filter: FinishedFilter, sort: Sort<FinishedColumn>): FinishedInfo[] {
  const name = filter.name.trim().toLowerCase();
  const kept = tasks.filter(
    (task) =>
      (name === '' || task.name.toLowerCase().includes(name) || task.id.toLowerCase().includes(name)) &&
      (filter.outcome === '' || task.outcome === filter.outcome),
  );
  return sorted(kept, (task) => finishedKey(task, sort.column), sort.descending);
}
