/** The agent protocol seen from the CLI: requests with ids, answers mapped to results or CliErrors. */
import type { PingResult, WhereResult, CancelResult } from '../inspect/agent.js';
import type { Snapshot } from '../inspect/schema.js';
import type { Connection, StacksRequest } from './args.js';
import { CliError, ExitCode } from './exit-codes.js';
import { ConnectionLost, MAX_CONNECT_ATTEMPTS } from './connection-lost.js';
import { checkProcess, isRunning } from './process-info.js';
import { connect, connectThroughInspector } from './transport.js';
import type { Notice, Transport } from './transport.js';

interface Answer {
  readonly id?: unknown;
  readonly ok?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown };
}

/**
 * How long a monitor socket that accepted the connection may take to answer before the CLI takes
 * the inspector instead (when the transport is not forced): a process whose event loop is blocked
 * accepts connections (the kernel does) but never answers, while the inspector answers from
 * inside the blocked frame.
 */
export const SOCKET_ANSWER_MS = 1000;

/** An error answer of the agent. */
export class AgentError extends CliError {
  constructor(
    message: string,
    exitCode: CliError['exitCode'],
    readonly code: string,
  ) {
    super(message, exitCode);
  }
}

/** How long a request for stacks may take at least (a heap snapshot of a large process takes seconds). */
export const STACKS_TIMEOUT_MS = 120_000;

/** A snapshot from an older tasktree has no stack fields: they read as not asked for. */
function normalize(snapshot: Snapshot | null): Snapshot | null {
  if (snapshot === null || typeof snapshot !== 'object' || !Array.isArray(snapshot.tasks)) return snapshot;
  if (snapshot.stacks !== undefined && snapshot.tasks.every((task) => task.stack !== undefined)) return snapshot;
  return {
    ...snapshot,
    stacks: snapshot.stacks ?? null,
    tasks: snapshot.tasks.map((task) => (task.stack !== undefined ? task : { ...task, stack: null, stackReason: null })),
  };
}

/** A connection to one process's agent. */
export class AgentClient {
  private nextId = 1;

  private constructor(
    private current: Transport,
    private readonly connection: Connection,
    private readonly notice: Notice,
  ) {}

  get transport(): Transport {
    return this.current;
  }

  get pid(): number {
    return this.connection.pid;
  }

  /**
   * Connects (see `connect`). Over a socket, checks that the process at the other end is `pid`
   * and that it answers; a socket that does not answer within {@link SOCKET_ANSWER_MS} gives way
   * to the inspector unless `--transport socket` was asked for (then it fails, saying why).
   */
  static async open(connection: Connection, notice: Notice): Promise<AgentClient> {
    const transport = await connect(connection, notice);
    const client = new AgentClient(transport, connection, notice);
    if (transport.kind !== 'socket') return client;
    const forced = connection.transport === 'socket';
    const waitMs = forced ? connection.timeoutMs : Math.min(SOCKET_ANSWER_MS, connection.timeoutMs);
    let ping: PingResult;
    try {
      ping = (await client.call('ping', {}, waitMs)) as PingResult;
    } catch (error) {
      await transport.close();
      if (!(error instanceof CliError && error.exitCode === ExitCode.timedOut)) throw error;
      const { pid } = connection;
      if (forced) {
        throw new CliError(
          `pid ${pid} accepted the monitor connection but did not answer within ${waitMs} ms: its event loop is ` +
            'probably blocked (busy in JavaScript or in a synchronous call); see where with --transport inspector',
          ExitCode.timedOut,
        );
      }
      notice(`pid ${pid}'s monitor socket did not answer within ${waitMs} ms (its event loop is probably blocked); reading it through the inspector instead`);
      client.current = await connectThroughInspector(connection, checkProcess(pid).signallable, notice);
      return client;
    }
    if (ping.pid !== connection.pid) {
      await transport.close();
      throw new CliError(`the monitor socket of pid ${connection.pid} is served by pid ${String(ping.pid)}`, ExitCode.internal);
    }
    return client;
  }

  /**
   * Sends one command and resolves with its result; error answers become AgentErrors. Over the
   * inspector, a connection that drops while the process lives (another `tasktree` call that had
   * opened the inspector closed it) is opened again and the command sent again, up to
   * {@link MAX_CONNECT_ATTEMPTS} times.
   */
  async call(cmd: string, fields: Record<string, unknown> = {}, timeoutMs = this.connection.timeoutMs): Promise<unknown> {
    const line = JSON.stringify({ id: this.nextId++, cmd, ...fields });
    for (let attempt = 1; ; attempt++) {
      try {
        return this.parse(await this.current.request(line, timeoutMs));
      } catch (error) {
        if (!(error instanceof ConnectionLost)) throw error;
        if (!isRunning(this.pid)) throw new CliError(`pid ${this.pid} exited`, ExitCode.noSuchProcess);
        if (this.current.kind !== 'inspector' || attempt >= MAX_CONNECT_ATTEMPTS) throw error;
      }
      const lost = this.current;
      this.current = await connectThroughInspector(this.connection, true, this.notice);
      await lost.close();
    }
  }

  private parse(line: string): unknown {
    let answer: Answer;
    try {
      answer = JSON.parse(line) as Answer;
    } catch {
      throw new CliError(`pid ${this.pid} answered something that is not JSON: ${line.slice(0, 80)}`, ExitCode.internal);
    }
    if (answer.ok === true) return answer.result;
    const code = typeof answer.error?.code === 'string' ? answer.error.code : 'UNKNOWN';
    const message = typeof answer.error?.message === 'string' ? answer.error.message : 'no message';
    if (code === 'UNKNOWN_TASK') throw new AgentError(`pid ${this.pid}: ${message}`, ExitCode.unknownTask, code);
    if (code === 'TOO_MANY_CONNECTIONS') {
      throw new AgentError(`pid ${this.pid}'s monitor socket refused the connection: ${message}`, ExitCode.monitorBusy, code);
    }
    if (code === 'STACKS_REFUSED') throw new AgentError(`pid ${this.pid} did not take the stacks: ${message}`, ExitCode.stacksRefused, code);
    if (code === 'STACKS_FAILED') throw new AgentError(`pid ${this.pid} could not take the stacks: ${message}`, ExitCode.internal, code);
    throw new AgentError(`pid ${this.pid} answered ${code}: ${message}`, ExitCode.internal, code);
  }

  /**
   * The process's snapshot; with `stacks`, every task's stack too (the process stops for a bounded
   * time, which the snapshot's `stacks` reports). A stacks request may take up to
   * {@link STACKS_TIMEOUT_MS} (or `--timeout`, if longer). `finished: false` asks for the live tasks
   * only (the table and the tree show no more): the history is most of a busy process's snapshot.
   */
  async snapshot(stacks: StacksRequest | null = null, finished = true): Promise<Snapshot> {
    const options: Record<string, unknown> = {};
    if (stacks !== null) {
      options['stacks'] = true;
      options['force'] = stacks.force;
      if (stacks.maxHeapMB !== null) options['maxHeapMB'] = stacks.maxHeapMB;
    }
    if (!finished) options['finished'] = false;
    const timeout = stacks === null ? this.connection.timeoutMs : Math.max(this.connection.timeoutMs, STACKS_TIMEOUT_MS);
    const fields = Object.keys(options).length === 0 ? {} : { options };
    const snapshot = normalize((await this.call('snapshot', fields, timeout)) as Snapshot | null);
    if (snapshot?.formatVersion !== 1) {
      throw new CliError(
        `pid ${this.pid} sent a snapshot in format ${String(snapshot?.formatVersion)}; this tasktree understands format 1`,
        ExitCode.internal,
      );
    }
    return snapshot;
  }

  where(taskId: string): Promise<WhereResult> {
    return this.call('where', { task: taskId }) as Promise<WhereResult>;
  }

  /** `from`: who asks, as the task's record will say (`tasktree cancel`, or the page of `tasktree ui`). */
  cancel(taskId: string, reason: string | null, from: 'cli' | 'ui' = 'cli'): Promise<CancelResult> {
    const request = reason === null ? { task: taskId, from } : { task: taskId, reason, from };
    return this.call('cancel', request) as Promise<CancelResult>;
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
