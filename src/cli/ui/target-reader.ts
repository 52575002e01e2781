/**
 * Reads the target for `tasktree ui`: one connection kept while it answers, a snapshot every
 * interval, and a status a person can read when it stops answering, exits, or comes back.
 */
import { performance } from 'node:perf_hooks';
import type { CancelResult } from '../../inspect/agent.js';
import type { Recording } from '../../inspect/recording-schema.js';
import type { Snapshot } from '../../inspect/schema.js';
import type { TargetStatus, TargetStatusKind } from '../../ui/protocol.js';
import type { Connection } from '../args.js';
import { AgentClient, AgentError } from '../client.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { ConnectionLost } from '../connection-lost.js';

export interface TargetReaderOptions {
  readonly connection: Connection;
  readonly intervalMs: number;
  /** Called after every change: a new snapshot, or a new status. */
  readonly onChange: () => void;
}

const TRANSPORT_NAMES = { socket: 'the monitor socket', inspector: 'the inspector' } as const;

function clock(epoch: number): string {
  return new Date(epoch).toTimeString().slice(0, 8);
}

/** Failures after which `tasktree ui` does not start at all (the same exit codes as every command). */
function isFinal(error: unknown): error is CliError {
  return error instanceof CliError && error.exitCode !== ExitCode.timedOut;
}

export class TargetReader {
  private client: AgentClient | null = null;
  private stopped = false;
  private wake: () => void = () => {};
  private loop: Promise<void> | null = null;
  private pendingSince: number | null = null;
  private statusKind: TargetStatusKind = 'connecting';
  private message: string;
  private since = Date.now();
  private lastAnswerAt: number | null = null;
  private transport: TargetStatus['transport'] = null;
  /** The latest snapshot, and how long its request took (ms). */
  snapshot: Snapshot | null = null;
  fetchMs = 0;
  /**
   * The flight recorder's events since the previous read, when the target's recorder is on (read
   * right after each snapshot); `null` when it is off, or the target's tasktree has none.
   */
  recorded: Recording | null = null;
  /** The number of the last recorder event read; -1: read them all next time. */
  private recordedUpTo = -1;
  private recorderKnown = true;

  constructor(private readonly options: TargetReaderOptions) {
    this.message = `connecting to pid ${options.connection.pid}…`;
  }

  get pid(): number {
    return this.options.connection.pid;
  }

  /** The status as the page shows it. */
  status(now = Date.now()): TargetStatus {
    return {
      pid: this.pid,
      status: this.statusKind,
      transport: this.transport,
      message: this.message,
      since: this.since,
      lastAnswerAt: this.lastAnswerAt,
      pendingForMs: this.pendingSince === null ? null : now - this.pendingSince,
    };
  }

  /**
   * Makes the first connection and reads the first snapshot, then keeps reading every interval.
   * @throws CliError when the target cannot be read at all (no such process, not Node, tasktree
   * not loaded, …); a target that does not answer in time is not an error here (it may be blocked).
   */
  async start(): Promise<void> {
    const error = await this.poll();
    if (isFinal(error) && this.snapshot === null) {
      this.stopped = true;
      throw error;
    }
    this.loop = this.run();
  }

  /** Stops reading and closes the connection (closing the inspector again if it was opened for us). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    // Closing the connection first ends a request still waiting for a blocked target.
    await this.dropClient();
    await this.loop;
    await this.dropClient();
  }

  /** Asks the target to cancel a task, over the same connection. */
  async cancel(taskId: string, reason: string): Promise<CancelResult> {
    if (this.client === null) {
      throw new CliError(`pid ${this.pid} cannot be reached now (${this.message})`, ExitCode.timedOut);
    }
    return this.client.cancel(taskId, reason, 'ui');
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.statusKind !== 'exited') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.stopped) break;
      await this.poll();
    }
  }

  /** One read; resolves with the error it met, if any (the status says it). */
  private async poll(): Promise<unknown> {
    const started = performance.now();
    this.pendingSince = Date.now();
    try {
      if (this.client === null) {
        const client = await AgentClient.open(this.options.connection, (line) => process.stderr.write(`tasktree ui: ${line}\n`));
        if (this.stopped) {
          await client.close();
          return null;
        }
        this.client = client;
      }
      this.transport = this.client.transport.kind;
      const snapshot = await this.client.snapshot();
      this.fetchMs = performance.now() - started;
      this.pendingSince = null;
      if (this.stopped) return null;
      this.snapshot = snapshot;
      this.recorded = await this.readRecorder(this.client);
      this.lastAnswerAt = Date.now();
      this.setStatus('live', `reading pid ${this.pid} through ${TRANSPORT_NAMES[this.transport]} every ${this.options.intervalMs} ms`);
      return null;
    } catch (error) {
      this.pendingSince = null;
      if (!this.stopped) await this.failed(error);
      return error;
    } finally {
      if (!this.stopped) this.options.onChange();
    }
  }

  /** The recorder's new events, if it is on (an agent without one is asked once). */
  private async readRecorder(client: AgentClient): Promise<Recording | null> {
    if (!this.recorderKnown) return null;
    let batch: Recording | null;
    try {
      batch = (await client.call('record', { options: { action: 'read', after: this.recordedUpTo } })) as Recording | null;
    } catch (error) {
      if (error instanceof AgentError && error.code === 'UNKNOWN_COMMAND') {
        this.recorderKnown = false;
        return null;
      }
      throw error;
    }
    if (batch === null || batch.recordingVersion !== 1) {
      this.recordedUpTo = -1;
      return null;
    }
    // Switched off and on again since: its numbers start afresh.
    if (batch.recorded - 1 < this.recordedUpTo) {
      this.recordedUpTo = -1;
      return null;
    }
    this.recordedUpTo = batch.recorded - 1;
    return batch;
  }

  private async failed(error: unknown): Promise<void> {
    const pid = this.pid;
    const shown = this.snapshot === null ? '' : ` The view is from ${clock(this.snapshot.capturedAt)}.`;
    if (error instanceof CliError && error.exitCode === ExitCode.noSuchProcess) {
      await this.dropClient();
      this.setStatus('exited', `pid ${pid} exited.${this.snapshot === null ? '' : ` This is its last snapshot, from ${clock(this.snapshot.capturedAt)}.`}`);
      return;
    }
    if (error instanceof CliError && error.exitCode === ExitCode.timedOut) {
      const via = this.transport ?? this.options.connection.transport;
      // A monitor socket that timed out is closed by the transport; an inspector session stays usable.
      if (via !== 'inspector') await this.dropClient();
      const since = this.statusKind === 'not-answering' ? this.since : Date.now() - this.options.connection.timeoutMs;
      const within = `within ${this.options.connection.timeoutMs} ms`;
      const why =
        via === 'socket'
          ? `has not answered through the monitor socket ${within}: its event loop is blocked (the monitor socket is served by the event loop), or the process is stopped. ` +
            'The inspector transport (--transport inspector) can read a process whose loop is blocked in JavaScript.'
          : via === 'inspector'
            ? `has not answered through the inspector ${within}: the inspector answers even while JavaScript runs, so the process is stopped, or stuck in native code.`
            : `has not answered ${within}: its event loop may be blocked, or the process stopped.`;
      this.setStatus('not-answering', `pid ${pid} ${why}${shown}`, since);
      return;
    }
    await this.dropClient();
    const text = error instanceof Error ? error.message : String(error);
    const lost = error instanceof ConnectionLost ? 'the connection was lost' : text;
    this.setStatus('error', `${lost}; trying again every ${this.options.intervalMs} ms.${shown}`);
  }

  private setStatus(kind: TargetStatusKind, message: string, since = Date.now()): void {
    if (kind !== this.statusKind) this.since = since;
    this.statusKind = kind;
    this.message = message;
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client !== null) {
      try {
        await client.close();
      } catch {
        // Already gone.
      }
    }
  }
}
