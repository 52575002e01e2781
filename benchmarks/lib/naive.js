// The "naive tracker" baseline: what you get by bolting tracking onto promises by hand —
// one AsyncLocalStorage.run per task (so currentTask() works), a Map registry (add on spawn,
// delete on settle) and a nanoid() string id per task.

import { AsyncLocalStorage } from 'node:async_hooks';
import { nanoid } from 'nanoid';

export const als = new AsyncLocalStorage();
export const registry = new Map();

/** Spawns `fn(record)` as a tracked task and returns its promise. */
export function naiveSpawn(name, fn) {
  const parent = als.getStore();
  const record = {
    id: nanoid(),
    name,
    parentId: parent === undefined ? null : parent.id,
    startedAt: Date.now(),
  };
  registry.set(record.id, record);
  return als.run(record, async () => {
    try {
      return await fn(record);
    } finally {
      registry.delete(record.id);
    }
  });
}

/** A snapshot of every live task: copies of the records, walking the Map. */
export function naiveSnapshot() {
  const out = [];
  for (const r of registry.values()) {
    out.push({ id: r.id, name: r.name, parentId: r.parentId, startedAt: r.startedAt });
  }
  return out;
}
