/**
 * The worker thread of a stacks probe. Through an inspector session connected to the main thread
 * it parks every promise of the main thread's heap on the probe's holder (so the snapshot maps them
 * to heap nodes; every function too, in a second round, when a shared promise needs it), takes a
 * heap snapshot, parses it here as it streams in, finds each task's chain of suspended async
 * functions (async-graph.ts), and posts that back. The main thread is stopped only while V8
 * queries its heap and writes the snapshot; the parse and the analysis run here, on the other core.
 */
import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeSnapshot, type AsyncGraph } from './async-graph.js';
import { HeapSnapshotParser } from './heap-snapshot.js';
import type { ProbeReply, ProbeRequest } from './probe-protocol.js';

const { holderKey } = workerData as ProbeRequest;
const session = new Session();
// A pending inspector call does not keep a worker alive: this timer does, until the reply is posted.
const alive = setInterval(() => {}, 1 << 30);

function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error === null ? resolve(result as T) : reject(error)));
  });
}

interface RemoteObject {
  readonly objectId?: string;
}

const GROUP = 'tasktree-stacks';

/**
 * Parks every promise of the main thread's heap on the holder, and every function too when
 * `withFunctions`: one heap query (of everything whose prototype chain holds `Object.prototype`:
 * each query is a full garbage collection and a walk of the heap, so one, not one per kind), split
 * there by the holder's `park`.
 */
async function park(withFunctions: boolean): Promise<void> {
  const { result } = await post<{ result: RemoteObject }>('Runtime.evaluate', { expression: 'Object.prototype', objectGroup: GROUP, silent: true });
  const { objects } = await post<{ objects: RemoteObject }>('Runtime.queryObjects', { prototypeObjectId: result.objectId, objectGroup: GROUP });
  await post('Runtime.callFunctionOn', {
    objectId: objects.objectId,
    functionDeclaration: `function (withFunctions) { globalThis[Symbol.for(${JSON.stringify(holderKey)})].park(this, withFunctions); }`,
    arguments: [{ value: withFunctions }],
    silent: true,
  });
  await post('Runtime.releaseObjectGroup', { objectGroup: GROUP });
}

/** What one round found, and how long its steps took (ms). */
interface Round {
  readonly graph: AsyncGraph;
  readonly queryMs: number;
  readonly snapshotMs: number;
  readonly analyzeMs: number;
}

/** One round: park, snapshot (parsed here as it streams in), analyse. */
async function round(withFunctions: boolean): Promise<Round> {
  const started = performance.now();
  await park(withFunctions);
  const parkedAt = performance.now();
  const parser = new HeapSnapshotParser();
  const onChunk = (message: { params: { chunk: string } }): void => parser.push(message.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  const snapshotAt = performance.now();
  const graph = analyzeSnapshot(parser.end());
  return { graph, queryMs: parkedAt - started, snapshotMs: snapshotAt - parkedAt, analyzeMs: performance.now() - snapshotAt };
}

/**
 * The first round parks the promises only; a second one, with the functions too, only when a task
 * awaits a promise other functions await as well (V8's walk goes on past it only from the await
 * closure). The times add up over the rounds.
 */
async function probe(): Promise<ProbeReply> {
  session.connectToMainThread();
  try {
    const first = await round(false);
    const rounds = first.graph.needsResume ? [first, await round(true)] : [first];
    const sum = (key: 'queryMs' | 'snapshotMs' | 'analyzeMs'): number => rounds.reduce((total, r) => total + r[key], 0);
    return {
      ok: true,
      graph: (rounds[rounds.length - 1] as Round).graph,
      phases: [sum('queryMs'), sum('snapshotMs')],
      analyzeMs: sum('analyzeMs'),
      rounds: rounds.length === 2 ? 2 : 1,
    };
  } finally {
    session.disconnect();
  }
}

// The thread ends by itself once the main thread acknowledged the reply, never sooner: the main
// thread removes a disconnected session on its own time, and a thread torn down before that has
// happened makes Node abort the whole process. The acknowledgement is sent from the main thread's
// JavaScript, which runs only after the main thread has dispatched the disconnect.
parentPort?.on('message', (message: unknown) => {
  if (message === 'done') {
    clearInterval(alive);
    parentPort?.close();
    return;
  }
  probe().then(
    (reply) => parentPort?.postMessage(reply),
    (error: unknown) => parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies ProbeReply),
  );
});
