/**
 * The replay bar of `tasktree ui --open FILE`: a slider over the recording's time span; moving it
 * asks the server for the state at that time, which the tree, table, finished tasks and timeline
 * then show. Hidden while a live process is followed.
 */
import { formatDateTime, formatDuration } from '../format.js';
import type { UiState } from '../protocol.js';
import { byId, setHidden, setText } from './dom.js';

export class ReplayBar {
  private readonly bar = byId<HTMLFormElement>('replay');
  private readonly slider = byId<HTMLInputElement>('replay-slider');
  private readonly time = byId('replay-time');
  private readonly note = byId('replay-note');
  private start = 0;
  /** The time asked for (epoch ms), `null` until the reader moves the slider. */
  at: number | null = null;

  constructor(changed: () => void) {
    this.slider.addEventListener('input', () => {
      this.at = this.start + Number(this.slider.value);
      changed();
    });
    this.bar.addEventListener('submit', (event) => event.preventDefault());
  }

  render(state: UiState): void {
    const replay = state.replay;
    setHidden(this.bar, replay === null);
    if (replay === null) return;
    this.start = replay.start;
    const max = String(Math.max(0, Math.round(replay.end - replay.start)));
    if (this.slider.max !== max) this.slider.max = max;
    // The slider stays where the reader put it; the server's answer only moves it the first time.
    if (this.at === null) this.slider.value = String(Math.round(replay.at - replay.start));
    setText(this.time, `${formatDateTime(replay.at)} · +${formatDuration(Math.max(0, replay.at - replay.start))}`);
    const dropped = replay.dropped > 0 ? ` · the ring dropped the ${replay.dropped} oldest events: complete from the slider's start` : '';
    const why = replay.reason === 'crash' ? ' · written at a crash' : '';
    setText(this.note, `${replay.events} events over ${formatDuration(replay.end - replay.start)}${dropped}${why}`);
  }
}
