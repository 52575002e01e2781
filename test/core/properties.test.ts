// Property-based: random trees of tasks with successes, failures, explicit cancellations, group
// timeouts and children that ignore their signal. Invariants: no scope settles before its
// children; every real error is reported exactly once; no unhandled rejection (the helper);
// the registry is empty afterwards.
import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CancelledError,
  TaskGroup,
  TaskGroupError,
  TimeoutError,
  allTasks,
  spawn,
  taskEvents,
  type SpawnOptions,
  type Task,
  type TaskFunction,
} from '../../src/index.js';
import { latch, ticks, type Latch } from '../helpers/core.js';

type Behaviour = 'succeed' | 'fail' | 'honour' | 'ignore' | 'ignore-ticks';

interface Node {
  readonly behaviour: Behaviour;
  readonly delay: number;
  /** `own`: children go into the task's own scope; `group`: into a TaskGroup.run in its function. */
  readonly scope: 'own' | 'group';
  readonly timeout: number | undefined;
  readonly cancelOnError: boolean;
  readonly concurrency: number | undefined;
  /** The parent's code cancels this task after that many ticks. */
  readonly cancelAfter: number | undefined;
  readonly daemon: boolean;
  readonly children: readonly Node[];
}

function nodeArb(depth: number): fc.Arbitrary<Node> {
  return fc.record({
    behaviour: fc.constantFrom<Behaviour>('succeed', 'succeed', 'fail', 'honour', 'ignore', 'ignore-ticks'),
    delay: fc.integer({ min: 0, max: 3 }),
    scope: fc.constantFrom<'own' | 'group'>('own', 'group'),
    timeout: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined, freq: 4 }),
    cancelOnError: fc.boolean(),
    concurrency: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 3 }),
    cancelAfter: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined, freq: 4 }),
    daemon: fc.boolean().map((b) => b && Math.random() < 0.3),
    children: depth === 0 ? fc.constant([]) : fc.array(nodeArb(depth - 1), { maxLength: 4 }),
  });
}

const treeArb = fc.record({ root: nodeArb(3), releaseAfter: fc.integer({ min: 0, max: 6 }) });

type Spawner = (name: string, fn: TaskFunction<unknown>, options: SpawnOptions) => Task;

interface RunState {
  readonly thrown: Set<Error>;
  readonly end: Latch;
  /** Settled tasks and closed groups, in order. */
  readonly order: Map<object, number>;
  /** For every task, the tasks spawned into its scopes (own scope or its TaskGroup.run). */
  readonly children: Map<Task, Task[]>;
  /** For every TaskGroup.run in the tree: its tasks, and the marker recorded when it settled. */
  readonly groups: { marker: object; tasks: Task[] }[];
}

function abortOf(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

async function behave(node: Node, signal: AbortSignal, state: RunState, name: string): Promise<string> {
  switch (node.behaviour) {
    case 'succeed':
      await ticks(node.delay);
      return name;
    case 'fail': {
      await ticks(node.delay);
      const error = new Error(`${name} failed`);
      state.thrown.add(error);
      throw error;
    }
    case 'honour':
      await Promise.race([abortOf(signal), state.end.promise]);
      return name;
    case 'ignore':
      await state.end.promise;
      return name;
    case 'ignore-ticks':
      await ticks(node.delay + 1);
      return name;
  }
}

function spawnChildren(node: Node, spawner: Spawner, state: RunState, path: string): Task[] {
  const tasks: Task[] = [];
  node.children.forEach((child, i) => {
    const name = `${path}.${i}`;
    const task = spawner(name, taskFunction(child, state, name), { daemon: child.daemon });
    tasks.push(task);
    if (child.cancelAfter !== undefined) void ticks(child.cancelAfter).then(() => task.cancel('random'));
  });
  return tasks;
}

function taskFunction(node: Node, state: RunState, name: string): TaskFunction<unknown> {
  return async (task) => {
    if (node.scope === 'own') {
      state.children.set(task, spawnChildren(node, spawn as Spawner, state, name));
      return behave(node, task.signal, state, name);
    }
    const marker = { group: name };
    const entry = { marker, tasks: [] as Task[] };
    state.groups.push(entry);
    try {
      return await TaskGroup.run(
        name,
        (g) => {
          entry.tasks = spawnChildren(node, (n, fn, o) => g.spawn(n, fn, o), state, name);
          state.children.set(task, entry.tasks);
          return behave(node, g.signal, state, name);
        },
        groupOptions(node),
      );
    } finally {
      state.order.set(marker, state.order.size);
    }
  };
}

function groupOptions(node: Node): { timeout?: number; cancelOnError: boolean; concurrency?: number } {
  return {
    cancelOnError: node.cancelOnError,
    ...(node.timeout === undefined ? {} : { timeout: node.timeout }),
    ...(node.concurrency === undefined ? {} : { concurrency: node.concurrency }),
  };
}

function leaves(error: unknown): unknown[] {
  return error instanceof TaskGroupError ? error.errors.flatMap(leaves) : [error];
}

async function check(tree: { root: Node; releaseAfter: number }): Promise<void> {
  const state: RunState = { thrown: new Set(), end: latch(), order: new Map(), children: new Map(), groups: [] };
  const onSettle = (task: Task): void => void state.order.set(task, state.order.size);
  taskEvents.on('settle', onSettle);
  void ticks(tree.releaseAfter).then(() => state.end.release());
  let outcome: { ok: true } | { ok: false; error: unknown };
  const rootMarker = { group: 'root' };
  let rootTasks: Task[] = [];
  try {
    await TaskGroup.run(
      'root',
      (g) => {
        rootTasks = spawnChildren(tree.root, (n, fn, o) => g.spawn(n, fn, o), state, 'r');
        return behave(tree.root, g.signal, state, 'r');
      },
      groupOptions(tree.root),
    );
    outcome = { ok: true };
  } catch (error) {
    outcome = { ok: false, error };
  } finally {
    state.order.set(rootMarker, state.order.size);
    taskEvents.off('settle', onSettle);
    state.end.release();
  }
  state.groups.push({ marker: rootMarker, tasks: rootTasks });

  // The registry is empty afterwards.
  assert.deepEqual(allTasks(), []);

  // No scope settles before its children: each task after all its descendants, each group
  // after all its tasks (and their descendants).
  const at = (o: object): number => {
    const i = state.order.get(o);
    assert.ok(i !== undefined, `never settled: ${String(o)}`);
    return i;
  };
  const descendants = (task: Task, out: Task[]): Task[] => {
    for (const child of state.children.get(task) ?? []) {
      out.push(child);
      descendants(child, out);
    }
    return out;
  };
  for (const task of state.children.keys()) {
    for (const d of descendants(task, [])) assert.ok(at(d) < at(task), `${d.name} settled after its ancestor ${task.name}`);
  }
  for (const { marker, tasks } of state.groups) {
    for (const t of tasks) for (const d of [t, ...descendants(t, [])]) assert.ok(at(d) < at(marker), `${d.name} settled after group ${JSON.stringify(marker)}`);
  }

  // Every real error thrown appears exactly once in the top-level outcome; nothing else does
  // except TimeoutErrors of timed-out groups; never a cancellation.
  const found = outcome.ok ? [] : leaves(outcome.error);
  if (!outcome.ok && !(outcome.error instanceof TaskGroupError)) {
    // The root group was cancelled or timed out and nothing failed.
    assert.ok(outcome.error instanceof TimeoutError || outcome.error instanceof CancelledError, String(outcome.error));
    assert.equal(state.thrown.size, 0);
    return;
  }
  for (const error of state.thrown) {
    assert.equal(found.filter((e) => e === error).length, 1, `${(error as Error).message} reported ${found.filter((e) => e === error).length} times`);
  }
  for (const e of found) {
    assert.ok(!(e instanceof CancelledError), 'a cancellation was reported as a failure');
    assert.ok(state.thrown.has(e as Error) || e instanceof TimeoutError, `unexpected error in the outcome: ${String(e)}`);
  }
}

describe('random task trees', () => {
  it('keep the invariants: children settle first, every error reported once, nothing left behind', async () => {
    await fc.assert(fc.asyncProperty(treeArb, check), { numRuns: 500 });
  });
});
