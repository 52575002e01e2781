import type { Task } from '../core/index.js';
import { hooks, taskRareOf, waitStart } from '../core/internal.js';

// Creation, await and cancel sites. The stack is captured into a plain object and formatted by V8 only
// when someone reads `holder.stack` (a snapshot or a report shows it): ≈3.5 µs per capture with a
// short limit, ≈10 µs more when shown.

let depth = 8;

/** A stack holder: `Error.captureStackTrace` fills `stack` lazily. */
export interface SiteHolder {
  stack?: string;
  /** An await site: when the wait it began started (the site is shown only while that wait is current). */
  since?: number;
}

/**
 * Captures the current stack, leaving out `skip` and the frames above it, keeping `extra` frames
 * (the library's own) plus `frames` (default: the `stackDepth` option).
 */
export function captureSite(skip: (...args: never[]) => unknown, extra: number, frames = depth): SiteHolder {
  const holder: SiteHolder = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = frames + extra;
  Error.captureStackTrace(holder, skip);
  Error.stackTraceLimit = limit;
  return holder;
}

// Frames between the hook and the user's code: TaskGroup._spawn, then spawn() / group.spawn() /
// run(); for awaits: noteAwait, then the `then` accessor (or noteResult, then `result()`; or
// whenBelow, then `group.whenBelow()`).
function onSpawn(task: Task): void {
  const site = captureSite(onSpawn, 3);
  taskRareOf(task).createdSite = site;
}

function onAwait(waiter: Task): void {
  const site = captureSite(onAwait, 2);
  site.since = waitStart(waiter);
  taskRareOf(waiter).awaitSite = site;
}

// Who asked for a cancellation: between the hook and the user's `cancel()` call are the library's
// request and cancel() frames; between it and an outside `controller.abort()`, the library's abort
// listener and Node's event dispatch (a few frames, left out when shown).
function onCancel(): SiteHolder {
  return captureSite(onCancel, 8);
}

/** Installs the spawn, await and cancel hooks; `stackDepth` frames are kept per site. */
export function installSiteHooks(stackDepth: number): void {
  depth = stackDepth;
  hooks.spawn = onSpawn;
  hooks.await = onAwait;
  hooks.cancel = onCancel;
}

/** Removes them: the core is back to one `undefined` check per spawn and per await. */
export function removeSiteHooks(): void {
  if (hooks.spawn === onSpawn) hooks.spawn = undefined;
  if (hooks.await === onAwait) hooks.await = undefined;
  if (hooks.cancel === onCancel) hooks.cancel = undefined;
}
