/**
 * The header (which process, whether it answers), the banner that says plainly when it does not
 * (blocked, exited, an error, or tasktree ui itself stopped), the tab counts and the footer.
 */
import { formatClock, formatDuration } from '../format.js';
import type { UiState } from '../protocol.js';
import { byId, setAttr, setHidden, setText } from './dom.js';

const STATUS_WORDS = {
  connecting: 'connecting',
  live: 'live',
  'not-answering': 'not answering',
  exited: 'exited',
  error: 'error',
  replay: 'recording',
} as const;

export class StatusView {
  private readonly target = byId('target');
  private readonly status = byId('status');
  private readonly statusText = byId('status-text');
  private readonly banner = byId('banner');
  private readonly foot = byId('foot');
  private readonly counts = { tree: byId('count-tree'), table: byId('count-table'), finished: byId('count-finished') };

  render(state: UiState, applyMs: number | null): void {
    const { target, snapshot } = state;
    setText(this.target, snapshot === null ? `pid ${target.pid}` : `pid ${snapshot.pid} · Node ${snapshot.node} · ${snapshot.tasks.length} live · ${snapshot.finished.length} finished`);
    setAttr(this.status, 'data-status', target.status);
    setAttr(document.body, 'data-target', target.status);
    const via = target.transport === null ? '' : ` · ${target.transport === 'socket' ? 'monitor socket' : 'inspector'}`;
    const slow = target.status === 'live' && target.pendingForMs !== null && target.pendingForMs > state.intervalMs * 1.5 ? ` · waiting ${formatDuration(target.pendingForMs)}` : '';
    setText(this.statusText, `${STATUS_WORDS[target.status]}${via}${slow}`);
    setAttr(this.status, 'title', target.message);
    const problem = target.status !== 'live' && target.status !== 'connecting' && target.status !== 'replay';
    setHidden(this.banner, !problem);
    if (problem) {
      const since =
        target.status === 'exited'
          ? ` Noticed at ${formatClock(target.since)}.`
          : ` (since ${formatClock(target.since)}, ${formatDuration(Math.max(0, state.serverTime - target.since))})`;
      this.showBanner(target.status, `${target.message}${since}`);
    }
    const tasks = snapshot?.tasks.length ?? 0;
    setText(this.counts.tree, String(tasks));
    setText(this.counts.table, String(tasks));
    setText(this.counts.finished, String(snapshot?.finished.length ?? 0));
    const stats = state.stats;
    if (state.replay !== null) {
      setText(this.foot, `${target.message} · served by tasktree ui, nothing from the network`);
      return;
    }
    setText(
      this.foot,
      [
        snapshot === null ? 'no snapshot yet' : `snapshot of ${formatClock(snapshot.capturedAt)}`,
        stats === null ? '' : `read in ${stats.fetchMs} ms`,
        stats === null ? '' : `state ${(stats.stateBytes / 1024).toFixed(0)} KiB, serialised in ${stats.serializeMs} ms`,
        applyMs === null ? '' : `drawn in ${applyMs.toFixed(1)} ms`,
        `every ${formatDuration(state.intervalMs)}`,
        'served by tasktree ui, nothing from the network',
      ]
        .filter((part) => part !== '')
        .join(' · '),
    );
  }

  /** When tasktree ui itself cannot be reached: the view stays, and says so. */
  serverGone(message: string): void {
    setAttr(this.status, 'data-status', 'gone');
    setAttr(document.body, 'data-target', 'gone');
    setText(this.statusText, 'tasktree ui stopped');
    setHidden(this.banner, false);
    this.showBanner('gone', `${message}. The view below is the last one received; run tasktree ui again to follow the process.`);
  }

  private showBanner(kind: string, text: string): void {
    setAttr(this.banner, 'data-kind', kind);
    setText(this.banner, text);
  }
}
