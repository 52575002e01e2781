import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { promiseHooks } from 'node:v8';
import { Task } from '../core/index.js';
import { storage } from '../core/internal.js';
import { isLibraryFrame } from '../inspect/sites.js';
import { captureSite, type SiteHolder } from './capture.js';
import { frameLocation, indentFrames, userFrames } from './frames.js';
import { report } from './report.js';

// Promises created inside tasks (debug mode only: a promise hook runs for every promise in the
// process). A promise created with no parent — an async function call, `new Promise`,
// `Promise.resolve` — inside a task gets an entry with its creation site; a promise derived from
// another (`then`, `await`) marks that one as handled. When a task settles, entries of its
// promises that are still pending and were never handled are reported: a forgotten `await`.

/** A promise created, with no parent, inside a task. */
export class PromiseEntry {
  settled = false;
  handled = false;
  constructor(
    readonly task: Task,
    readonly site: SiteHolder,
  ) {}
}

/** A promise derived from others inside a task: its task, and the entry its chain started from. */
export class ChainEntry {
  constructor(
    readonly task: Task,
    readonly origin: PromiseEntry | undefined,
  ) {}
}

/** A promise's entry; a bare Task for a derived promise whose chain began outside any entry. */
const meta = new WeakMap<Promise<unknown>, PromiseEntry | ChainEntry | Task>();
const byTask = new WeakMap<Task, PromiseEntry[]>();
let stopHooks: (() => void) | undefined;

function taskOf(): Task | undefined {
  const scope = storage.getStore();
  return scope === undefined ? undefined : scope instanceof Task ? scope : scope.owner;
}

function init(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  if (parent !== undefined) {
    const from = meta.get(parent);
    const task = taskOf();
    if (from instanceof PromiseEntry) {
      from.handled = true;
      if (task !== undefined) meta.set(promise, new ChainEntry(task, from));
    } else if (from instanceof ChainEntry && task !== undefined) {
      meta.set(promise, from.task === task ? from : new ChainEntry(task, from.origin));
    }
    // A chain that began outside any tracked promise is not tracked (a WeakMap entry per derived
    // promise costs more than it tells).
    return;
  }
  const task = taskOf();
  if (task === undefined) return;
  // Frames: Node's hook dispatcher, `new Promise` (native), the creating function, its caller.
  const entry = new PromiseEntry(task, captureSite(init, 2, 2));
  meta.set(promise, entry);
  let list = byTask.get(task);
  if (list === undefined) byTask.set(task, (list = []));
  else if (list.length >= 256 && (list.length & (list.length - 1)) === 0) compact(list);
  list.push(entry);
}

function settled(promise: Promise<unknown>): void {
  const entry = meta.get(promise);
  if (entry instanceof PromiseEntry) entry.settled = true;
}

/** Drops entries that can no longer be reported, in place (a long-lived task creates many). */
function compact(list: PromiseEntry[]): void {
  let kept = 0;
  for (const entry of list) if (!entry.settled && !entry.handled) list[kept++] = entry;
  list.length = kept;
}

/** The task a promise was created in, and where, when known. */
export function promiseOrigin(promise: Promise<unknown>): { task: Task; site: SiteHolder | undefined } | undefined {
  const entry = meta.get(promise);
  if (entry === undefined) return undefined;
  if (entry instanceof Task) return { task: entry, site: undefined };
  return { task: entry.task, site: entry instanceof PromiseEntry ? entry.site : entry.origin?.site };
}

/**
 * Who created the promise: `null` if tasktree or Node's internals did; else whether it is an
 * async function's own promise (the first frame is that function, the second its call) or one
 * made with `new Promise`/`Promise.resolve` (the first user frame is the creating line).
 */
export function creator(site: SiteHolder): 'async-call' | 'new' | null {
  let native = false;
  for (const line of (site.stack ?? '').split('\n').slice(1)) {
    const frame = line.trim();
    if (frame.includes('node:internal/promise_hooks')) continue; // Node's promise-hook dispatcher
    if (frame.endsWith('(<anonymous>)')) {
      native = true; // `new Promise`, `Promise.resolve`: the caller made it
      continue;
    }
    if (isLibraryFrame(frame)) return null;
    return native ? 'new' : 'async-call';
  }
  return null;
}

/** `saveUser() called at src/x.ts:8`, or `a promise created at src/x.ts:8`. */
export function describeCreation(kind: 'async-call' | 'new', frames: readonly string[]): string {
  if (kind === 'async-call' && frames.length >= 2) {
    const fn = /^(?:async )?([^\s(]+) \(/.exec(frames[0] as string)?.[1];
    const call = frameLocation(frames[1]);
    if (fn !== undefined && call !== null) return `the promise of ${fn}() called at ${call}`;
  }
  const where = frameLocation(frames[0]);
  return where === null ? 'a promise it created' : `a promise created at ${where}`;
}

// Checked a turn after the task settles: tasktree's own promises for the task (the one driving
// its function, the one closing its scopes) settle right after it, and a stack is formatted only
// for promises still pending then.
let toCheck: Task[] = [];

function onSettle(message: unknown): void {
  const task = (message as { task: Task }).task;
  if (!byTask.has(task)) return;
  if (toCheck.length === 0) setImmediate(checkSettled).unref();
  toCheck.push(task);
}

function checkSettled(): void {
  const tasks = toCheck;
  toCheck = [];
  for (const task of tasks) {
    const list = byTask.get(task);
    if (list === undefined) continue;
    byTask.delete(task);
    for (const entry of list) if (!entry.settled && !entry.handled) reportNeverAwaited(task, entry);
  }
}

function reportNeverAwaited(task: Task, entry: PromiseEntry): void {
  const kind = creator(entry.site);
  if (kind === null) return;
  const frames = userFrames(entry.site);
  report({
    kind: 'never-awaited',
    message:
      `task ${task.path} finished while ${describeCreation(kind, frames)} was still pending, ` +
      `and nothing awaited it or attached a handler (a forgotten await?)${indentFrames(frames)}`,
    task: task.path,
    taskId: task.id,
    createdAt: frames,
  });
}

/** Starts tracking promises created inside tasks. */
export function startPromiseTracking(): void {
  if (stopHooks !== undefined) return;
  stopHooks = promiseHooks.createHook({ init, settled }) as () => void;
  subscribe('tasktree:settle', onSettle);
}

/** Stops it; entries already made stay attached to their promises until those are collected. */
export function stopPromiseTracking(): void {
  if (stopHooks === undefined) return;
  stopHooks();
  stopHooks = undefined;
  unsubscribe('tasktree:settle', onSettle);
  toCheck = [];
}
