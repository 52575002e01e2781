import type { Snapshot, TaskInfo } from '../../src/inspect/schema.js';

/** A hand-built task for golden tests; unspecified fields get plain defaults. */
export function taskInfo(fields: Partial<TaskInfo> & Pick<TaskInfo, 'id' | 'name'>): TaskInfo {
  return {
    path: fields.name,
    parentId: null,
    group: 'main',
    namedGroup: null,
    state: 'running',
    daemon: false,
    createdAt: 1_700_000_000_000,
    ageMs: 1000,
    waitingOn: null,
    awaitedBy: [],
    cancelled: null,
    attributes: null,
    createdAtSite: null,
    awaitSite: null,
    stack: null,
    stackReason: null,
    ...fields,
  };
}

/** A hand-built snapshot around `tasks`. */
export function snapshotOf(tasks: TaskInfo[]): Snapshot {
  return { formatVersion: 1, pid: 4242, node: 'v20.0.0', capturedAt: 1_700_000_000_000, tasks, finished: [], stacks: null };
}
