// The names tasktree gives its span attributes and events (documented in docs/opentelemetry.md).

/** The task's id (`CXHj0n.1k`). */
export const ATTR_TASK_ID = 'tasktree.task.id';
/** Its ancestors' names and its own, joined with ` › `. */
export const ATTR_TASK_PATH = 'tasktree.task.path';
/** The name of the group it was spawned into. */
export const ATTR_GROUP_NAME = 'tasktree.group.name';
/** Whether it is a daemon task. */
export const ATTR_TASK_DAEMON = 'tasktree.task.daemon';
/** In a group with a `concurrency` limit: milliseconds from its spawn to its start (the wait for a slot). */
export const ATTR_TASK_QUEUED_MS = 'tasktree.task.queued_ms';
/** How it settled: `fulfilled`, `rejected` or `cancelled`. */
export const ATTR_TASK_OUTCOME = 'tasktree.task.outcome';
/** The event recorded when cancellation of the task was requested (at that time). */
export const EVENT_CANCELLED = 'tasktree.cancelled';
/** On that event: the kind of the cancellation (`explicit`, `sibling-failed`, `timeout`, …). */
export const ATTR_CANCEL_KIND = 'tasktree.cancel.kind';
/** On that event: who cancelled and why, as a sentence (the CancelledError's message). */
export const ATTR_CANCEL_REASON = 'tasktree.cancel.reason';
/** On that event: the id of the task the cancellation names (the failed sibling, the cancelled parent). */
export const ATTR_CANCEL_TASK_ID = 'tasktree.cancel.task_id';
/** On that event: what asked for the cancellation (`task`, `outside`, `cli`, `ui`, `process-signal`, `abort-signal`, `timeout`, …). */
export const ATTR_CANCEL_SOURCE = 'tasktree.cancel.source';
/** On that event: who asked, as one line (`main › supervisor [CXHj0n.3]`, `tasktree cancel: "rollback"`, …). */
export const ATTR_CANCEL_BY = 'tasktree.cancel.by';
/** On that event: the id of the task that asked (called `cancel()`, failed, or owns the group that timed out), when one did. */
export const ATTR_CANCEL_BY_TASK_ID = 'tasktree.cancel.by_task_id';
/** On that event, in debug mode: where `cancel()` was called, innermost user frame first. */
export const ATTR_CANCEL_SITE = 'tasktree.cancel.site';
