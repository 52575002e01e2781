/**
 * Reads a heap snapshot for what each task's async functions are suspended on: from the promise a
 * task's function returned, inward through the async functions awaiting one another, to the promise
 * the innermost one awaits. The snapshot says *which* functions and promises; the exact lines come
 * later from V8's own async stack walk on the main thread (walk.ts), started at the promises found
 * here. Pure: a function of the parsed snapshot.
 *
 * The heap facts it relies on (V8 11.3 to 14.x, Node 20 to 26):
 * - an async function's state is an object named `Generator` with a hidden edge to its result
 *   promise; an async generator's is an object with `parameters_and_registers`, whose pending
 *   `next()` promises hang off `AsyncGeneratorRequest`s;
 * - a promise's pending reactions are a list of `PromiseReaction`s (`reactions_or_result`, then
 *   `next`); a reaction's handlers are closures, its derived promise a `Promise` or `PromiseCapability`;
 * - a generator G awaits promise X when a reaction of X has an `Async…AwaitResolveClosure` whose
 *   context's `extension` is G;
 * - `Promise.all`/`allSettled`/`any` inputs have element closures whose context holds the
 *   combinator's capability; `Promise.race` inputs, `return promise` (where V8 resolves through a
 *   thenable job) and `new Promise` have `PromiseCapabilityDefaultResolve` closures whose context
 *   holds the promise they settle.
 */
import type { HeapSnapshot } from './heap-snapshot.js';

/** The names under which the probe parks its arrays for the snapshot to find them. */
export const HOLDER_KEYS = {
  /** Task i's promise (what its function returned), or null. */
  tasks: 'tasktreeStacksTaskPromises',
  /** Every promise of the heap (`Runtime.queryObjects(Promise.prototype)`). */
  promises: 'tasktreeStacksAllPromises',
  /**
   * Every function of the heap, parked only when a chain needs its await closures (see
   * {@link AsyncGraph.needsResume}): parking them costs the snapshot two edges each.
   */
  functions: 'tasktreeStacksAllFunctions',
} as const;

/** One suspended async function, as the snapshot shows it. */
export interface ChainFrame {
  /** The function's name ('' when anonymous). */
  readonly fn: string;
  /** Its script's URL or path ('' when unknown). */
  readonly file: string;
  /** The index in the parked promises of the promise it awaits (-1: none, or not parked). */
  readonly awaited: number;
  /** The index in the parked functions of its await's resume closure (-1: none, or not parked). */
  readonly resume: number;
}

/** How a chain ends, inward. */
export type ChainEnd =
  /** At a promise something can still settle (its resolving functions, native code, or another promise). */
  | 'pending'
  /** At a promise nothing can settle any more: no resolving function, no native handle, no source. */
  | 'never-settles'
  /** At a combinator (`branches`). */
  | 'branches'
  /** The task's promise had already settled. */
  | 'settled'
  /** The task's promise is not in the snapshot (the task has no promise). */
  | 'none';

/** The async functions a promise waits on, outermost first. */
export interface Chain {
  readonly frames: readonly ChainFrame[];
  readonly end: ChainEnd;
  /** What the innermost frame awaits together, when `end` is `branches`. */
  readonly combinator: 'Promise.all' | 'Promise.allSettled' | 'Promise.any' | 'Promise.race' | null;
  readonly branches: readonly Chain[];
  /** The index in the parked promises of the combinator's result promise (the trunk's leaf). */
  readonly leaf: number;
}

/** What {@link analyzeSnapshot} found: one chain per parked task promise. */
export interface AsyncGraph {
  /** Indexed like the parked task promises; null where none was parked. */
  readonly chains: readonly (Chain | null)[];
  readonly nodeCount: number;
  /** Whether the parked arrays were found (false: the snapshot is not from this probe). */
  readonly found: boolean;
  /**
   * Whether a chain's function awaits a promise that other reactions wait on too (a shared
   * promise): V8's walk stops at such a promise, and goes on only from the function's own await
   * closure, which the walks find among the parked functions.
   */
  readonly needsResume: boolean;
}

const MAX_FRAMES = 256;
const MAX_BRANCH_DEPTH = 4;
const MAX_BRANCHES = 64;

const AWAIT_RESOLVE = 1;
const AWAIT_REJECT = 2;
const ALL_ELEMENT = 3;
const ALL_SETTLED_ELEMENT = 4;
const ANY_ELEMENT = 5;
const CAPABILITY_RESOLVE = 6;

/** Builtin closure code names, by what they mean here. */
function codeKind(name: string): number {
  if (name.charCodeAt(0) !== 40 /* ( */ || name.length > 90) return 0;
  if (/^\(Async(?:Function|Generator)AwaitResolveClosure\b/.test(name)) return AWAIT_RESOLVE;
  if (/^\(Async(?:Function|Generator)AwaitRejectClosure\b/.test(name)) return AWAIT_REJECT;
  if (/^\(PromiseAllResolveElementClosure\b/.test(name)) return ALL_ELEMENT;
  if (/^\(PromiseAllSettled(?:Resolve|Reject)ElementClosure\b/.test(name)) return ALL_SETTLED_ELEMENT;
  if (/^\(PromiseAnyRejectElementClosure\b/.test(name)) return ANY_ELEMENT;
  if (/^\(PromiseCapabilityDefault(?:Resolve|Reject)\b/.test(name)) return CAPABILITY_RESOLVE;
  return 0;
}

const COMBINATORS = {
  [ALL_ELEMENT]: 'Promise.all',
  [ALL_SETTLED_ELEMENT]: 'Promise.allSettled',
  [ANY_ELEMENT]: 'Promise.any',
} as const;

/** Finds, for every parked task promise, the chain of async functions it waits on. */
export function analyzeSnapshot(snapshot: HeapSnapshot): AsyncGraph {
  const { nodes, edges, strings } = snapshot;
  const NF = snapshot.nodeFields.length;
  const EF = snapshot.edgeFields.length;
  const fType = snapshot.nodeFields.indexOf('type');
  const fName = snapshot.nodeFields.indexOf('name');
  const fEdges = snapshot.nodeFields.indexOf('edge_count');
  const eType = snapshot.edgeFields.indexOf('type');
  const eName = snapshot.edgeFields.indexOf('name_or_index');
  const eTo = snapshot.edgeFields.indexOf('to_node');
  const N = nodes.length / NF;

  const first = new Uint32Array(N + 1);
  for (let i = 0; i < N; i++) first[i + 1] = (first[i] as number) + (nodes[i * NF + fEdges] as number) * EF;

  const stringIds = new Map<string, number>();
  const wanted = [
    'Generator', 'Promise', 'system / PromiseReaction', 'system / PromiseCapability', 'system / AsyncGeneratorRequest',
    'reactions_or_result', 'context', 'extension', 'code', 'function', 'shared', 'script_or_debug_info', 'script',
    'name', 'parameters_and_registers', HOLDER_KEYS.tasks, HOLDER_KEYS.promises, HOLDER_KEYS.functions,
  ];
  const wantedSet = new Set(wanted);
  const codeKinds = new Uint8Array(strings.length);
  for (let k = 0; k < strings.length; k++) {
    const s = strings[k] as string;
    if (wantedSet.has(s) && !stringIds.has(s)) stringIds.set(s, k);
    codeKinds[k] = codeKind(s);
  }
  const id = (s: string): number => stringIds.get(s) ?? -1;
  const sGenerator = id('Generator');
  const sPromise = id('Promise');
  const sReaction = id('system / PromiseReaction');
  const sCapability = id('system / PromiseCapability');
  const sRequest = id('system / AsyncGeneratorRequest');
  const eReactions = id('reactions_or_result');
  const eContext = id('context');
  const eExtension = id('extension');
  const eCode = id('code');
  const eFunction = id('function');
  const eShared = id('shared');
  const eScriptOrDebug = id('script_or_debug_info');
  const eScript = id('script');
  const eNameEdge = id('name');
  const eRegisters = id('parameters_and_registers');

  const nodeTypes = snapshot.nodeTypes;
  const edgeTypes = snapshot.edgeTypes;
  const tObject = nodeTypes.indexOf('object');
  const tClosure = nodeTypes.indexOf('closure');
  const tSynthetic = nodeTypes.indexOf('synthetic');
  const etElement = edgeTypes.indexOf('element');
  const etHidden = edgeTypes.indexOf('hidden');
  const etWeak = edgeTypes.indexOf('weak');

  const nameOf = (i: number): number => nodes[i * NF + fName] as number;
  const typeOf = (i: number): number => nodes[i * NF + fType] as number;
  const isPromise = (i: number): boolean => nameOf(i) === sPromise && typeOf(i) === tObject;
  /** The target of `i`'s first edge named `s` (not an element/hidden edge), or -1. */
  const child = (i: number, s: number): number => {
    if (s < 0) return -1;
    for (let e = first[i] as number, end = first[i + 1] as number; e < end; e += EF) {
      const t = edges[e + eType] as number;
      if (t !== etElement && t !== etHidden && edges[e + eName] === s) return (edges[e + eTo] as number) / NF;
    }
    return -1;
  };
  /** The first target of `i`'s edges whose node name is `s`, or -1. */
  const childNamed = (i: number, s: number): number => {
    for (let e = first[i] as number, end = first[i + 1] as number; e < end; e += EF) {
      const to = (edges[e + eTo] as number) / NF;
      if (nameOf(to) === s && (edges[e + eType] as number) !== etWeak) return to;
    }
    return -1;
  };
  const closureKind = (c: number): number => {
    const code = child(c, eCode);
    return code < 0 ? 0 : (codeKinds[nameOf(code)] as number);
  };

  // 1. Async functions and generators, and their promises; every promise's live resolving functions.
  const promiseGen = new Int32Array(N).fill(-1);
  const isGen = new Uint8Array(N);
  const settleable = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const type = typeOf(i);
    if (type === tClosure) {
      if (closureKind(i) === CAPABILITY_RESOLVE) {
        const context = child(i, eContext);
        const promise = context < 0 ? -1 : childNamed(context, sPromise);
        if (promise >= 0) settleable[promise] = 1;
      }
      continue;
    }
    if (type !== tObject) continue;
    const name = nameOf(i);
    if (name === sGenerator) {
      for (let e = first[i] as number, end = first[i + 1] as number; e < end; e += EF) {
        if (edges[e + eType] !== etHidden) continue;
        const to = (edges[e + eTo] as number) / NF;
        if (isPromise(to)) {
          promiseGen[to] = i;
          isGen[i] = 1;
          break;
        }
      }
    } else if (eRegisters >= 0 && child(i, eRegisters) >= 0) {
      // An async generator: its queued next()/return() requests carry the promises handed out.
      isGen[i] = 1;
      for (let r = childNamed(i, sRequest), hops = 0; r >= 0 && hops < 1024; hops++) {
        const promise = childNamed(r, sPromise);
        if (promise >= 0) promiseGen[promise] = i;
        const next = childNamed(r, sRequest);
        r = next === r ? -1 : next;
      }
    }
  }
  // Promises held by native code (global handles and other roots) can settle from there.
  for (let i = 0; i < N; i++) {
    if (typeOf(i) !== tSynthetic) continue;
    for (let e = first[i] as number, end = first[i + 1] as number; e < end; e += EF) {
      const to = (edges[e + eTo] as number) / NF;
      if (isPromise(to)) settleable[to] = 1;
    }
  }

  // 2. Reactions: who awaits what, what follows what.
  const awaited = new Int32Array(N).fill(-1); // generator -> the promise it awaits
  const resume = new Int32Array(N).fill(-1); // generator -> its await's resolve closure
  const reactionCount = new Uint32Array(N); // promise -> its pending reactions
  // What settles a promise: the promises it follows (a `then`, a thenable job, a race or a
  // combinator's inputs). One source and no combinator: the chain goes on through it; a combinator,
  // or several sources (a race), branch.
  const firstSource = new Int32Array(N).fill(-1);
  const moreSources = new Map<number, number[]>();
  const combinator = new Map<number, string>();
  const addSource = (q: number, p: number, kind: string | undefined): void => {
    if (q === p) return;
    if (kind !== undefined && !combinator.has(q)) combinator.set(q, kind);
    const firstOne = firstSource[q] as number;
    if (firstOne === -1) firstSource[q] = p;
    else if (firstOne !== p) {
      const list = moreSources.get(q);
      if (list === undefined) moreSources.set(q, [p]);
      else if (!list.includes(p)) list.push(p);
    }
  };
  const capabilityPromise = (context: number): number => {
    for (let e = first[context] as number, end = first[context + 1] as number; e < end; e += EF) {
      const to = (edges[e + eTo] as number) / NF;
      if (nameOf(to) === sCapability) {
        const promise = childNamed(to, sPromise);
        if (promise >= 0) return promise;
      }
    }
    return -1;
  };
  for (let p = 0; p < N; p++) {
    if (!isPromise(p)) continue;
    let reaction = child(p, eReactions);
    for (let hops = 0; reaction >= 0 && nameOf(reaction) === sReaction && hops < 100_000; hops++) {
      reactionCount[p] = (reactionCount[p] as number) + 1;
      let next = -1;
      for (let e = first[reaction] as number, end = first[reaction + 1] as number; e < end; e += EF) {
        const to = (edges[e + eTo] as number) / NF;
        const name = nameOf(to);
        if (name === sReaction) next = to;
        else if (isPromise(to)) addSource(to, p, undefined);
        else if (name === sCapability) {
          const promise = childNamed(to, sPromise);
          if (promise >= 0) addSource(promise, p, undefined);
        } else if (typeOf(to) === tClosure) {
          const kind = closureKind(to);
          if (kind === 0) continue;
          const context = child(to, eContext);
          if (context < 0) continue;
          if (kind === AWAIT_RESOLVE || kind === AWAIT_REJECT) {
            const gen = child(context, eExtension);
            if (gen >= 0 && isGen[gen] === 1) {
              awaited[gen] = p;
              if (kind === AWAIT_RESOLVE) resume[gen] = to;
            }
          } else if (kind === CAPABILITY_RESOLVE) {
            // Promise.race (or Promise.any's resolve), or a thenable job resolving another promise.
            const target = childNamed(context, sPromise);
            if (target >= 0) addSource(target, p, undefined);
          } else {
            const target = capabilityPromise(context);
            if (target >= 0) addSource(target, p, COMBINATORS[kind as keyof typeof COMBINATORS]);
          }
        }
      }
      reaction = next === reaction ? -1 : next;
    }
  }

  // 3. The parked arrays: element index <-> node.
  const parked = (key: string): Int32Array | null => {
    const s = id(key);
    if (s < 0) return null;
    for (let i = 0; i < N; i++) {
      if (typeOf(i) !== tObject) continue;
      const array = child(i, s);
      if (array < 0) continue;
      return elementsOf(array);
    }
    return null;
  };
  const elementsOf = (array: number): Int32Array => {
    let max = -1;
    for (let e = first[array] as number, end = first[array + 1] as number; e < end; e += EF) {
      if (edges[e + eType] === etElement) max = Math.max(max, edges[e + eName] as number);
    }
    const out = new Int32Array(max + 1).fill(-1);
    for (let e = first[array] as number, end = first[array + 1] as number; e < end; e += EF) {
      if (edges[e + eType] === etElement) out[edges[e + eName] as number] = (edges[e + eTo] as number) / NF;
    }
    return out;
  };
  const taskPromises = parked(HOLDER_KEYS.tasks);
  const allPromises = parked(HOLDER_KEYS.promises);
  const allFunctions = parked(HOLDER_KEYS.functions);
  const promiseIndex = indexOf(allPromises, N);
  const functionIndex = indexOf(allFunctions, N);

  // 4. Each task promise's chain, inward.
  const files = new Map<number, string>();
  const fileOf = (fn: number): string => {
    const shared = child(fn, eShared);
    if (shared < 0) return '';
    let script = child(shared, eScriptOrDebug);
    if (script >= 0 && child(script, eScript) >= 0) script = child(script, eScript);
    else if (script < 0) script = child(shared, eScript);
    if (script < 0) return '';
    let file = files.get(script);
    if (file === undefined) {
      const name = child(script, eNameEdge);
      file = name < 0 ? '' : (strings[nameOf(name)] as string);
      files.set(script, file);
    }
    return file;
  };
  let needsResume = false;
  const frameOf = (gen: number): ChainFrame => {
    const fn = child(gen, eFunction);
    const waiting = awaited[gen] as number;
    const closure = resume[gen] as number;
    if (waiting >= 0 && (reactionCount[waiting] as number) > 1) needsResume = true;
    return {
      fn: fn < 0 ? '' : (strings[nameOf(fn)] as string),
      file: fn < 0 ? '' : fileOf(fn),
      awaited: waiting < 0 ? -1 : (promiseIndex[waiting] as number),
      resume: closure < 0 ? -1 : (functionIndex[closure] as number),
    };
  };
  const chainOf = (start: number, depth: number): Chain => {
    const frames: ChainFrame[] = [];
    const seen = new Set<number>();
    let current = start;
    while (frames.length < MAX_FRAMES && !seen.has(current)) {
      seen.add(current);
      const gen = promiseGen[current] as number;
      if (gen >= 0) {
        frames.push(frameOf(gen));
        const next = awaited[gen] as number;
        if (next < 0) break; // running, or suspended on something the heap does not show
        current = next;
        continue;
      }
      const one = firstSource[current] as number;
      const more = moreSources.get(current);
      const kind = combinator.get(current);
      if (one >= 0 && more === undefined && kind === undefined) {
        current = one;
        continue;
      }
      if (one >= 0) {
        const inputs = more === undefined ? [one] : [one, ...more];
        const branches = depth < MAX_BRANCH_DEPTH ? inputs.slice(0, MAX_BRANCHES).map((p) => chainOf(p, depth + 1)) : [];
        return {
          frames,
          end: 'branches',
          combinator: (kind ?? 'Promise.race') as Chain['combinator'],
          branches,
          leaf: promiseIndex[current] as number,
        };
      }
      break;
    }
    const end: ChainEnd = settleable[current] === 1 || (promiseGen[current] as number) >= 0 ? 'pending' : 'never-settles';
    return { frames, end, combinator: null, branches: [], leaf: promiseIndex[current] as number };
  };

  const chains: (Chain | null)[] = [];
  if (taskPromises !== null) {
    for (let k = 0; k < taskPromises.length; k++) {
      const promise = taskPromises[k] as number;
      chains.push(promise < 0 || !isPromise(promise) ? null : chainOf(promise, 0));
    }
  }
  return { chains, nodeCount: N, found: taskPromises !== null && allPromises !== null, needsResume };
}

function indexOf(elements: Int32Array | null, n: number): Int32Array {
  const index = new Int32Array(n).fill(-1);
  if (elements !== null) for (let k = 0; k < elements.length; k++) if ((elements[k] as number) >= 0) index[elements[k] as number] = k;
  return index;
}
