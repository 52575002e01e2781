import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startChild } from '../helpers/child.js';

describe('the demo (npm run demo)', () => {
  it('inspects the example service live, breaks its deadlock, shuts it down gracefully, and names a blocking task in debug mode', async () => {
    const demo = startChild(fileURLToPath(new URL('../../examples/demo.js', import.meta.url)));
    const exit = await demo.exited;
    const out = demo.stdout;
    assert.equal(exit.code, 0, `${out}\n${demo.stderr}`);
    // pstree while the requests are in flight: the collapsed requests (their urls differ only in
    // numbers) and the deadlock.
    assert.match(out, /\[x12\] request#\d+ … request#\d+ \[\S+ …\] \{method=GET, url=\/user\/\d+ … \/user\/\d+\} running .* — waiting on 2 tasks: db-query, db-posts/);
    assert.match(out, /Deadlock \(tasks awaiting each other\):\n\s+lock-a \[\S+\] → lock-b \[\S+\] → lock-a/);
    assert.match(out, /waiting on db\.query users for \d+ ms/);
    // With --stacks, the stuck requests show the exact lines they wait at, in the TypeScript source.
    const service = readFileSync(fileURLToPath(new URL('../../../examples/service.ts', import.meta.url)), 'utf8').split('\n');
    const line = (text: string): number => service.findIndex((l) => l.includes(text)) + 1;
    assert.match(out, new RegExp(`└── loadProfile examples/service\\.ts:${line('await fetchAvatar(')}\n\\s+└── fetchAvatar examples/service\\.ts:${line('await fetch(')}\n`));
    assert.match(out, new RegExp(`summarize \\(examples/service\\.ts:${line('await delay(')}:\\d+\\)\n\\s+buildReport \\(examples/service\\.ts:${line('await summarize(')}:\\d+\\)`));
    assert.match(out, /tasktree: stacks of \d+ tasks taken in .*; pid \d+ was stopped for .* at most/);
    assert.match(out, /stuck until shutdown: 503 \/profile\/7 → cancelled/);
    assert.match(out, /stuck until shutdown: 503 \/report → cancelled/);
    // The dump on SIGUSR2 came from the service itself.
    assert.match(out, /tasktree: \d+ live tasks in pid \d+/);
    // Replies: the work done, the failure aggregated, the deadlock broken by `tasktree cancel`.
    assert.match(out, /200 {2}\/user\/1 /);
    assert.match(out, /502 {2}\/fail .*TaskGroup 'fail' failed with 1 error: \[broken\] Error: upstream returned 502/);
    assert.match(out, /503 {2}\/deadlock .*cancelled explicitly: break the deadlock/);
    // Graceful shutdown: the request in flight was answered, the service exited 0.
    assert.match(out, /in flight at shutdown: 503 \/slow → cancelled: parent 'main' was cancelled \(outside signal aborted: SIGTERM\)/);
    // It handles the signal itself (exitOnSignal: false): its own last line, exit code 0.
    assert.match(out, /the service exited with code 0; its last line: service stopped after \d+ requests: outside signal aborted: SIGTERM/);
    // Debug mode names the task that blocked the event loop, and the line.
    assert.match(out, /event loop blocked for \d+ ms by task main › http › request#1 › render at examples\/service\.ts:\d+/);
    assert.match(out, /the debug service exited with code 0/);
  });
});
