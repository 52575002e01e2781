// Imported by every core test file: records every `unhandledRejection` in the test process and
// fails the file's run if there was one. The library must never cause one.
import assert from 'node:assert/strict';
import { after } from 'node:test';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  unhandled.push(reason);
});

after(() => {
  assert.deepEqual(unhandled, [], `unhandled rejections: ${unhandled.map((r) => String(r)).join('; ')}`);
});

/** The unhandled rejections seen so far in this file. */
export function unhandledRejections(): readonly unknown[] {
  return unhandled;
}
