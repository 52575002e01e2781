/** The agent protocol seen from the CLI: requests with ids, answers mapped to results or CliErrors. */
import type { PingResult, WhereResult, CancelResult } from '../inspect/agent.js';
import type { Snapshot } from '../inspect/schema.js';
import type { Connection } from './args.js';
import { CliError, ExitCode } from './exit-codes.js';
import { ConnectionLost } from './inspector.js';
import { isRunning } from './process-info.js';
import { connect } from './transport.js';
import type { Transport } from './transport.js';

interface Answer {
  readonly id?: unknown;
  readonly ok?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown };
}

/** A connection to one process's agent. */
export class AgentClient {
  private nextId = 1;

  private constructor(
    readonly transport: Transport,
    readonly pid: number,
    private readonly timeoutMs: number,
  ) {}

  /** Connects (see `connect`) and, over a socket, checks the process at the other end is `pid`. */
  static async open(connection: Connection): Promise<AgentClient> {
    const transport = await connect(connection);
    const client = new AgentClient(transport, connection.pid, connection.timeoutMs);
    if (transport.kind === 'socket') {
      try {
        const ping = (await client.call('ping')) as PingResult;
        if (ping.pid !== connection.pid) {
          throw new CliError(`the monitor socket of pid ${connection.pid} is served by pid ${String(ping.pid)}`, ExitCode.internal);
        }
      } catch (error) {
        await transport.close();
        throw error;
      }
    }
    return client;
  }

  /** Sends one command and resolves with its result; error answers become CliErrors. */
  async call(cmd: string, fields: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    let line: string;
    try {
      line = await this.transport.request(JSON.stringify({ id, cmd, ...fields }), this.timeoutMs);
    } catch (error) {
      if (error instanceof ConnectionLost && !isRunning(this.pid)) {
        throw new CliError(`pid ${this.pid} exited`, ExitCode.noSuchProcess);
      }
      throw error;
    }
    let answer: Answer;
    try {
      answer = JSON.parse(line) as Answer;
    } catch {
      throw new CliError(`pid ${this.pid} answered something that is not JSON: ${line.slice(0, 80)}`, ExitCode.internal);
    }
    if (answer.ok === true) return answer.result;
    const code = typeof answer.error?.code === 'string' ? answer.error.code : 'UNKNOWN';
    const message = typeof answer.error?.message === 'string' ? answer.error.message : 'no message';
    if (code === 'UNKNOWN_TASK') throw new CliError(`pid ${this.pid}: ${message}`, ExitCode.unknownTask);
    throw new CliError(`pid ${this.pid} answered ${code}: ${message}`, ExitCode.internal);
  }

  async snapshot(): Promise<Snapshot> {
    const snapshot = (await this.call('snapshot')) as Snapshot | null;
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

  cancel(taskId: string, reason: string | null): Promise<CancelResult> {
    return this.call('cancel', reason === null ? { task: taskId } : { task: taskId, reason }) as Promise<CancelResult>;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
