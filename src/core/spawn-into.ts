// Spawning a task into a group, for `group.spawn()` and `spawn()`: check the arguments, create the
// task, link it into the group's live list (and the group into the registry's roots if it has no
// owner), then start it soon, queue it for a `concurrency` slot, or — into a cancelling group —
// settle it cancelled at once, its function never called.
import { ScopeClosedError } from './errors.js';
import { emit, isObserved as importedIsObserved } from './events.js';
import { CLOSED as importedCLOSED, groupExtraOf } from './group-state.js';
import { hooks as importedHooks } from './hooks.js';
import { nextSeq as importedNextSeq } from './ids.js';
import { linkRoot } from './registry.js';
import { settleTask } from './settle.js';
import { captureContext as importedCaptureContext, scheduleStart as importedScheduleStart } from './start-queue.js';
import { Task, type NewTask, type SpawnOptions, type TaskFunction } from './task.js';
import type { TaskGroup } from './task-group.js';
import { CANCELLED, DAEMON, QUEUED, SLOT, STATE, extraOf, rareOf } from './task-state.js';
import { checkFunction as importedCheckFunction, checkName, checkOptions, show } from './validate.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const CLOSED = importedCLOSED;
const isObserved = importedIsObserved;
const hooks = importedHooks;
const nextSeq = importedNextSeq;
const captureContext = importedCaptureContext;
const scheduleStart = importedScheduleStart;
const checkFunction = importedCheckFunction;

/**
 * @internal Spawns into `group` (`api` names the caller in errors; `a, b, c` are its arguments:
 * `name, fn, options` or `fn, options`). Throws ScopeClosedError once the group has closed.
 * (Debug mode's creation site counts the library frames above its hook: this, then `spawn()`,
 * `group.spawn()` or `run()`.)
 */
export function spawnInto<T>(group: TaskGroup, api: string, a: unknown, b: unknown, c: unknown): Task<T> {
  let name: string | undefined;
  let fn: unknown;
  let options: SpawnOptions | undefined;
  if (typeof a === 'function') {
    fn = a;
    options = b as SpawnOptions | undefined;
  } else {
    if (typeof a !== 'string' || a.length === 0) {
      if (b === undefined && typeof a !== 'string') throw new TypeError(`${api}: expected fn to be a function, got ${show(a)}`);
      checkName(api, a);
    }
    name = a as string;
    fn = b;
    options = c as SpawnOptions | undefined;
  }
  checkFunction(api, 'fn', fn);
  let flags = 0;
  if (options !== undefined) {
    checkOptions(api, options);
    if (options.daemon) flags = DAEMON;
  }
  if (group._phase === CLOSED) throw new ScopeClosedError(group.name, api);

  const seq = nextSeq();
  const task = new (Task as unknown as NewTask)<T>(name ?? ((fn as { name?: string }).name || `Task-${seq}`), group, fn as TaskFunction<T>, flags, seq);
  if (options?.attributes !== undefined) rareOf(task).attributes = options.attributes;
  if (hooks.spawn !== undefined) hooks.spawn(task);
  if (hooks.trace !== undefined) {
    const tracer = hooks.trace(task);
    if (tracer !== undefined) rareOf(task).tracer = tracer;
  }
  group._spawned++;

  // Link into the live list.
  const tail = group._tail;
  task._prev = tail;
  if (tail === undefined) group._head = task;
  else tail._next = task;
  group._tail = task;
  if (group._count++ === 0 && !group._owned) {
    group._rooted = true;
    linkRoot(group);
  }
  if ((flags & DAEMON) === 0) group._nonDaemon++;
  if (isObserved('spawn')) emit('spawn', task);
  if (hooks.record !== undefined) hooks.record('spawn', task, group._cancel === undefined && group._running >= group._concurrency);

  if (group._cancel !== undefined) {
    extraOf(task).cancel = group._cancel;
    settleTask(task, CANCELLED, group._cancel);
  } else if (group._running < group._concurrency) {
    group._running++;
    task._state |= SLOT;
    scheduleStart(task, captureContext());
  } else {
    task._state = (task._state & ~STATE) | QUEUED;
    (groupExtraOf(group).queue ??= []).push(task);
    extraOf(task).context = captureContext();
  }
  return task;
}
