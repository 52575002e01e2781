import type { CancelledError } from './errors.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';

// Awaiting a task, and `waitFor(promise)`, are cancellation points: when the waiting scope (a
// task, or a `TaskGroup.run` body) is cancelled while it waits, the await throws the
// CancelledError at once, as in asyncio. The awaited task or promise goes on; only the wait ends.
// Edge-triggered: awaits started after the cancellation proceed normally, so cleanup code can
// still await things.

type Scope = Task | TaskGroup;
type Interrupt = (error: CancelledError) => void;

const waiting = new WeakMap<Scope, Set<Interrupt>>();

/** @internal Settles like `promise`, or rejects with the scope's cancellation if it comes first. */
export function interruptible<V>(scope: Scope, promise: PromiseLike<V>): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    let set = waiting.get(scope);
    if (set === undefined) waiting.set(scope, (set = new Set()));
    const waits = set;
    waits.add(reject);
    promise.then(
      (value) => {
        waits.delete(reject);
        resolve(value);
      },
      (error: unknown) => {
        waits.delete(reject);
        reject(error);
      },
    );
  });
}

/** @internal Ends every interruptible wait of `scope` with `error`. */
export function interrupt(scope: Scope, error: CancelledError): void {
  const set = waiting.get(scope);
  if (set === undefined) return;
  waiting.delete(scope);
  for (const reject of set) reject(error);
}
