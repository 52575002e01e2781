import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run, spawn, type Task } from '../../src/index.js';
import { captureCallGraph, formatCallGraph, printCallGraph, type CallGraph } from '../../src/inspect/call-graph.js';

function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('captureCallGraph', () => {
  it('is undefined outside a task', () => {
    assert.equal(captureCallGraph(), undefined);
  });

  it('gives the current task with its live stack and the chain of tasks awaiting it', async () => {
    let graph: CallGraph | undefined;
    await run(
      async () => {
        const outer = spawn('outer', async () => {
          const inner = spawn('inner', async () => {
            await tick();
            graph = captureCallGraph();
          });
          await inner;
        });
        await outer;
      },
      { dumpSignal: false },
    );
    assert.ok(graph);
    assert.equal(graph.task.name, 'inner');
    assert.ok(graph.callStack.some((frame) => frame.includes('call-graph.test.js')), graph.callStack.join('\n'));
    assert.deepEqual(graph.awaitedBy.map((g) => g.task.name), ['outer']);
    assert.deepEqual(graph.awaitedBy[0]?.awaitedBy.map((g) => g.task.name), ['main']);
    assert.match(graph.awaitedBy[0]?.waitingOn ?? '', /^inner \[.*\] for \d+ ms$/);
  });

  it('follows only `depth` levels of awaiters and at most `limit` frames', async () => {
    const release = latch();
    await run(
      async () => {
        const leaf: Task = spawn('leaf', () => release.promise);
        const mid = spawn('mid', async () => await leaf);
        spawn('top', async () => await mid);
        await tick();
        const shallow = captureCallGraph(leaf, { depth: 1, limit: 0 });
        assert.deepEqual(shallow?.awaitedBy.map((g) => g.task.name), ['mid']);
        assert.deepEqual(shallow?.awaitedBy[0]?.awaitedBy, []);
        const all = captureCallGraph({ all: true });
        assert.equal(all.formatVersion, 1);
        release.open();
      },
      { dumpSignal: false },
    );
  });

  it('with stacks, gives any task the frames where it and its awaiters are suspended', async () => {
    const release = latch();
    async function fetchRow(): Promise<void> {
      await release.promise;
    }
    async function loadUser(): Promise<void> {
      await fetchRow();
    }
    await run(
      async () => {
        const worker = spawn('worker', () => loadUser());
        const caller = spawn('caller', async () => await worker);
        await tick();
        const graph = await captureCallGraph(worker, { stacks: true });
        assert.ok(graph);
        assert.deepEqual(
          graph.callStack.map((frame) => frame.replace(/ \(.*\)$/, '')),
          ['fetchRow', 'loadUser'],
        );
        assert.ok(graph.callStack.every((frame) => /call-graph\.test\.(js|ts):\d+:\d+\)$/.test(frame)), graph.callStack.join('\n'));
        assert.equal(graph.awaitedBy[0]?.task.name, 'caller');
        assert.match(graph.awaitedBy[0]?.callStack[0] ?? '', /^<anonymous> \(.*call-graph\.test\.(js|ts):\d+:\d+\)$/);
        assert.equal(caller.state, 'running');
        release.open();
      },
      { dumpSignal: false },
    );
  });

  it('rejects what is neither a task nor { all: true }', () => {
    assert.throws(() => captureCallGraph({} as never), { name: 'TypeError', message: /captureCallGraph/ });
  });
});

describe('formatCallGraph', () => {
  it("prints Python's format: tasks, call stacks and awaiters nested by four spaces", () => {
    const graph: CallGraph = {
      task: { id: 'a.3', name: 'fetch-user', path: 'main › req › fetch-user', state: 'running' },
      callStack: ['fetchUser (examples/service.ts:30:11)', 'examples/service.ts:12:3'],
      waitingOn: 'db.query for 1.2 s',
      awaitedBy: [
        {
          task: { id: 'a.2', name: 'req', path: 'main › req', state: 'running' },
          callStack: [],
          waitingOn: 'task fetch-user [a.3] for 1.2 s',
          awaitedBy: [{ task: { id: 'a.1', name: 'main', path: 'main', state: 'running' }, callStack: [], waitingOn: null, awaitedBy: [] }],
        },
      ],
    };
    assert.equal(
      formatCallGraph(graph),
      [
        "* Task(name='fetch-user', id='a.3', state='running')",
        '  + Call stack:',
        "  |   File 'examples/service.ts', line 30, in fetchUser()",
        "  |   File 'examples/service.ts', line 12, in <anonymous>()",
        '  + Waiting on: db.query for 1.2 s',
        '  + Awaited by:',
        "    * Task(name='req', id='a.2', state='running')",
        '      + Waiting on: task fetch-user [a.3] for 1.2 s',
        '      + Awaited by:',
        "        * Task(name='main', id='a.1', state='running')",
        '',
      ].join('\n'),
    );
  });

  it('printCallGraph writes it to the given stream, and nothing outside tasks', async () => {
    let written = '';
    const stream = { write: (text: string) => (written += text) };
    printCallGraph(undefined, { stream });
    assert.equal(written, '');
    await run(async () => printCallGraph(undefined, { stream }), { dumpSignal: false });
    assert.match(written, /^\* Task\(name='main'/);
  });
});
