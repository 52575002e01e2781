/**
 * A cancellation as the snapshot shows it: its reason (`kind`, `message`) and who asked (`by`) —
 * the task that called `cancel()`, or the outside source, named — read from what the core recorded
 * when the cancellation was asked for. Pure reading: nothing here is done on the task's path.
 */
import type { CancelledError, Task } from '../core/index.js';
import { describeCancelReason, describeError, type CancelRequest } from '../core/internal.js';
import type { CancelInfo, CancelOrigin, CancelSource } from './schema.js';
import { siteLines } from './sites.js';

/** Who asked, per chain: the thousands of tasks one request cancelled share one answer. */
export type OriginCache = Map<CancelledError, CancelOrigin | null>;

/** The snapshot's summary of `cancel`: `rethrown` when the task let another's cancellation through. */
export function cancelInfo(cancel: CancelledError, rethrown: boolean, cache?: OriginCache): CancelInfo {
  const by = originOf(cancel, cache);
  const info = { kind: cancel.reason.kind, message: describeCancelReason(cancel.reason), by };
  return Object.freeze(rethrown ? { ...info, rethrown: true as const } : info);
}

/** Who asked for the first cancellation of `cancel`'s chain; `null` if tasktree did not see it asked. */
export function originOf(cancel: CancelledError, cache?: OriginCache): CancelOrigin | null {
  const root = cancel._root;
  if (cache === undefined) return origin(root);
  let found = cache.get(root);
  if (found === undefined && !cache.has(root)) cache.set(root, (found = origin(root)));
  return found ?? null;
}

function taskRef(task: Task | undefined): CancelOrigin['task'] {
  return task === undefined ? null : Object.freeze({ id: task.id, path: task.path });
}

function where(task: Task | undefined): string {
  return task === undefined ? '' : ` (in ${task.path} [${task.id}])`;
}

function quoted(text: string | undefined): string {
  return text === undefined ? '' : `: ${JSON.stringify(text)}`;
}

function make(source: CancelSource, request: CancelRequest | undefined, fields: Omit<CancelOrigin, 'source' | 'site'>): CancelOrigin {
  return Object.freeze({ source, ...fields, site: siteLines(request?.site) });
}

function origin(root: CancelledError): CancelOrigin | null {
  const reason = root.reason;
  const request = root._request;
  switch (reason.kind) {
    case 'explicit': {
      if (request === undefined) return null;
      if (request.via === 'cli' || request.via === 'ui') {
        const given = request.given;
        const who = request.via === 'cli' ? 'tasktree cancel' : 'tasktree ui';
        return make(request.via, request, { task: null, group: null, reason: given ?? null, message: given === undefined ? `${who} (no reason given)` : `${who}${quoted(given)}` });
      }
      const said = reason.reason === undefined ? null : describeError(reason.reason);
      const task = request.task;
      if (task === undefined) return make('outside', request, { task: null, group: null, reason: said, message: 'code outside any task' });
      return make('task', request, { task: taskRef(task), group: null, reason: said, message: `${task.path} [${task.id}]` });
    }
    case 'signal': {
      if (request?.via === 'run') {
        const signal = describeError(reason.reason);
        return make('process-signal', request, { task: null, group: null, reason: signal, message: `${signal}, caught by run()` });
      }
      if (request?.group === undefined) return null;
      const group = request.group;
      const said = reason.reason === undefined ? null : describeError(reason.reason);
      return make('abort-signal', request, {
        task: taskRef(group.owner),
        group: group.name,
        reason: said,
        message: `the AbortSignal linked to '${group.name}'${where(group.owner)}${said === null ? '' : `: ${said}`}`,
      });
    }
    case 'timeout': {
      const owner = request?.group?.owner;
      return make('timeout', request, { task: taskRef(owner), group: reason.group, reason: null, message: `the ${reason.ms} ms timeout of '${reason.group}'${where(owner)}` });
    }
    case 'sibling-failed': {
      const error = describeError(reason.error);
      return make('sibling-failed', request, { task: taskRef(reason.task), group: null, reason: error, message: `${reason.task.path} [${reason.task.id}], which failed: ${error}` });
    }
    case 'body-failed': {
      const error = describeError(reason.error);
      const task = request?.task;
      return make('body-failed', request, { task: taskRef(task), group: reason.group, reason: error, message: `the body of '${reason.group}'${where(task)}, which failed: ${error}` });
    }
    case 'scope-done': {
      const owner = request?.group?.owner;
      return make('scope-done', request, { task: taskRef(owner), group: reason.group, reason: null, message: `the rest of '${reason.group}' finishing${where(owner)}` });
    }
    case 'parent-cancelled':
      // Never the root of a chain (the root is its first cancellation); a hand-made one names no one.
      return null;
  }
}
