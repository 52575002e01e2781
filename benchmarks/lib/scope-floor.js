// The scope-floor: a tracker that does the least tasktree's default tier must record, each done the
// leanest way (see W2's `scope-floor` in benchmarks/README.md): the task is its own scope (its
// children in a list on the task itself: no group object; a task settles only after its children;
// a failure is recorded in its parent), awaiting a task registers an interruptible wait on both
// sides (the target's awaiters, the waiter's waits), the awaited-by edge with the time it began,
// creation and settle times (one clock read per synchronous run, as tasktree reads it), a sequence
// id and a ring of the last 1,000 finished tasks. No names, events, hooks, daemons, cancellation,
// groups or run(). Used by W2 (a chain) and W8 (a service's handler).

import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

/**
 * A fresh floor: `spawn(fn, parent?)` spawns into `parent` (default: the current task; it must be
 * called inside one), and `root(fn)` starts a task with no parent. Both return the task, which
 * `await` waits for.
 */
export function scopeFloor() {
  const als = new AsyncLocalStorage();
  const resolved = Promise.resolve();
  // The clock, read once per synchronous run: expired by a microtask, or by the drain itself for
  // the stamps made while it runs (as tasktree does).
  let cached = -1;
  let draining = false;
  const expire = () => {
    cached = -1;
  };
  const stamp = () => {
    if (cached < 0) {
      cached = Math.trunc(performance.now());
      if (!draining) void resolved.then(expire);
    }
    return cached;
  };
  let seq = 0;
  const history = new Array(1000);
  let historyNext = 0;
  const ENDED = 8;
  class Extra {
    constructor() {
      this.awaiters = undefined;
      this.waits = undefined;
      this.failures = undefined;
      this.ended = undefined;
    }
  }
  class ScopeTask {
    constructor(parent, fn) {
      this.seq = ++seq;
      this.parent = parent;
      this.state = 1;
      this.slot = fn;
      this.created = stamp();
      this.prev = undefined;
      this.next = undefined;
      this.head = undefined;
      this.tail = undefined;
      this.waitTarget = undefined;
      this.waitStart = 0;
      this.extra = undefined;
    }
    get then() {
      const waiter = als.getStore();
      if (waiter !== undefined) {
        waiter.waitTarget = this;
        waiter.waitStart = stamp();
      }
      return then;
    }
  }
  const push = (list, item) => (list === undefined ? item : Array.isArray(list) ? (list.push(item), list) : [list, item]);
  const drop = (list, item) => (list === item ? undefined : (list.splice(list.indexOf(item), 1), list.length === 0 ? undefined : list));
  // The engine's call (as in thenable-floor): the wait holds its resolving functions.
  function then(resolve, reject) {
    const target = this;
    if (target.state > 1) {
      if (target.state === 2) resolve(target.slot);
      else reject(target.slot);
      return;
    }
    const scope = als.getStore();
    const wait = { resolve, reject, scope };
    const tx = (target.extra ??= new Extra());
    tx.awaiters = push(tx.awaiters, wait);
    if (scope !== undefined) {
      const sx = (scope.extra ??= new Extra());
      sx.waits = push(sx.waits, wait);
    }
  }
  let queue = [];
  let scheduled = false;
  const drain = () => {
    cached = -1;
    draining = true;
    for (let i = 0; i < queue.length; i += 2) {
      const t = queue[i];
      const context = queue[i + 1];
      queue[i] = queue[i + 1] = undefined;
      context.runInAsyncScope(start, undefined, t);
    }
    queue = [];
    scheduled = false;
    cached = -1;
    draining = false;
  };
  function start(t) {
    als.enterWith(t);
    const fn = t.slot;
    t.slot = undefined;
    fn(t).then(onFulfilled, onRejected);
  }
  const onFulfilled = (value) => ended(als.getStore(), true, value);
  const onRejected = (error) => ended(als.getStore(), false, error);
  function ended(t, ok, value) {
    t.state |= ENDED;
    if (t.head === undefined) settle(t, ok ? 2 : 3, value);
    else (t.extra ??= new Extra()).ended = { ok, value };
  }
  function release(wait, state, value) {
    const sx = wait.scope?.extra;
    if (sx !== undefined) sx.waits = drop(sx.waits, wait);
    if (state === 2) wait.resolve(value);
    else wait.reject(value);
  }
  function settle(t, state, value) {
    t.state = state;
    t.slot = value;
    t.waitTarget = undefined;
    t.waitStart = stamp();
    const x = t.extra;
    if (x !== undefined && x.awaiters !== undefined) {
      const awaiters = x.awaiters;
      x.awaiters = undefined;
      if (Array.isArray(awaiters)) for (const wait of awaiters) release(wait, state, value);
      else release(awaiters, state, value);
    }
    const parent = t.parent;
    if (parent !== undefined) {
      const { prev, next } = t;
      if (prev === undefined) parent.head = next;
      else prev.next = next;
      if (next === undefined) parent.tail = prev;
      else next.prev = prev;
      t.prev = t.next = undefined;
      if (state === 3) ((parent.extra ??= new Extra()).failures ??= []).push(value);
      if (parent.head === undefined && (parent.state & ENDED) !== 0) {
        const px = parent.extra;
        const { ok, value: result } = px.ended;
        if (ok && px.failures === undefined) settle(parent, 2, result);
        else settle(parent, 3, ok ? px.failures[0] : result);
      }
    }
    history[historyNext] = t;
    historyNext = historyNext === 999 ? 0 : historyNext + 1;
  }
  function enqueue(t) {
    queue.push(t, new AsyncResource('floor'));
    if (!scheduled) {
      scheduled = true;
      void resolved.then(drain);
    }
    return t;
  }
  function spawn(fn, parent = als.getStore()) {
    const t = new ScopeTask(parent, fn);
    const tail = parent.tail;
    t.prev = tail;
    if (tail === undefined) parent.head = t;
    else tail.next = t;
    parent.tail = t;
    return enqueue(t);
  }
  function root(fn) {
    return enqueue(new ScopeTask(undefined, fn));
  }
  return { spawn, root };
}
