import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { WebSocketClient } from '../../src/cli/websocket.js';
import { NODE, fixture } from './child.js';

interface CallFrame {
  readonly functionName: string;
}
interface StackTrace {
  readonly description?: string;
  readonly callFrames: readonly CallFrame[];
  readonly parent?: StackTrace;
}

/**
 * Runs the fixture under `--inspect-brk`, as a debugger would: enables the debugger with async
 * stacks, lets it run to its `debugger` statement, and returns the descriptions of the async
 * stack trace of that pause (innermost first).
 */
async function asyncStackAtPause(args: string[]): Promise<string[]> {
  const child = spawn(NODE, ['--inspect-brk=127.0.0.1:0', fixture('debug-async-tags'), ...args], {
    env: { ...process.env, TASKTREE_DEBUG: undefined, NODE_OPTIONS: undefined, NODE_TEST_CONTEXT: undefined },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = /Debugger listening on (ws:\/\/\S+)/.exec(stderr);
        if (match !== null) resolve(match[1] as string);
      });
      void exited.then(() => reject(new Error(`the child exited before its inspector listened\n${stderr}`)));
    });
    const ws = await WebSocketClient.connect(url, 10_000);
    let next = 1;
    const pending = new Map<number, (result: unknown) => void>();
    let onPaused: (params: { asyncStackTrace?: StackTrace }) => void = () => {};
    ws.onmessage = (text) => {
      const message = JSON.parse(text) as { id?: number; method?: string; params?: unknown; result?: unknown };
      if (message.id !== undefined) pending.get(message.id)?.(message.result);
      else if (message.method === 'Debugger.paused') onPaused(message.params as { asyncStackTrace?: StackTrace });
    };
    const send = (method: string, params: object = {}): Promise<unknown> =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    const pauses: { asyncStackTrace?: StackTrace }[] = [];
    let paused: (params: { asyncStackTrace?: StackTrace }) => void = () => {};
    onPaused = (params) => {
      pauses.push(params);
      paused(params);
    };
    await send('Debugger.enable', { maxScriptsCacheSize: 10_000_000 });
    await send('Debugger.setAsyncCallStackDepth', { maxDepth: 32 });
    // The first pause is --inspect-brk's, on the first line; the second is the `debugger` statement.
    const atStatement = new Promise<{ asyncStackTrace?: StackTrace }>((resolve) => {
      paused = (params) => {
        if (pauses.length === 1) void send('Debugger.resume');
        else resolve(params);
      };
    });
    await send('Runtime.runIfWaitingForDebugger');
    const pause = await atStatement;
    const descriptions: string[] = [];
    for (let trace = pause.asyncStackTrace; trace !== undefined; trace = trace.parent) descriptions.push(trace.description ?? '');
    await send('Debugger.resume');
    ws.close();
    assert.equal(await exited, 0, stderr);
    return descriptions;
  } finally {
    child.kill('SIGKILL');
  }
}

describe('async stack tagging (debug mode)', () => {
  it('shows the path of the task a debugger paused in, in its async call stack', async () => {
    const descriptions = await asyncStackAtPause([]);
    assert.ok(descriptions.includes('main › handler › fetch-user'), `async stack: ${JSON.stringify(descriptions)}`);
  });

  it('tags nothing outside debug mode', async () => {
    const descriptions = await asyncStackAtPause(['off']);
    assert.ok(!descriptions.some((d) => d.includes('fetch-user')), `async stack: ${JSON.stringify(descriptions)}`);
  });
});
