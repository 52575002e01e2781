/** The messages between the main thread and the stacks probe's worker thread. */
import type { AsyncGraph } from './async-graph.js';

/** The worker's `workerData`. */
export interface ProbeRequest {
  /** The `Symbol.for` key of the holder object the probe parks its arrays on. */
  readonly holderKey: string;
}

/** What the worker posts back, once. */
export type ProbeReply =
  | {
      readonly ok: true;
      readonly graph: AsyncGraph;
      /** How long each step on the main thread took, seen from here (ms): the heap query, the snapshot (summed over the rounds). */
      readonly phases: readonly number[];
      /** Parse tail and analysis, in the worker (ms). */
      readonly analyzeMs: number;
      /** 1, or 2 when a shared promise needed the functions parked too. */
      readonly rounds: 1 | 2;
    }
  | { readonly ok: false; readonly message: string };
