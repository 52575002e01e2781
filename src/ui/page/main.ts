/**
 * The page of `tasktree ui`. It asks the server for the state (a long poll: the answer comes as
 * soon as the CLI has read a new snapshot), renders the visible tab and the selected task's
 * detail, and keeps the reader's tab, selection, open rows, sort, filters and scroll across
 * updates. Everything it shows comes from the server it was loaded from.
 */
import { cancelText, formatClock, formatDuration, liveState, waitTarget } from '../format.js';
import type { FinishedInfo, PageTask, UiState } from '../protocol.js';
import { attributesText, finishedRows, liveRows } from '../table-model.js';
import type { FinishedColumn, LiveColumn, LiveFilter } from '../table-model.js';
import { fetchState, ServerGone } from './api.js';
import { makeContext } from './context.js';
import type { Actions, Context } from './context.js';
import { DetailView } from './detail-view.js';
import { byId, setAttr, setHidden, setText } from './dom.js';
import { StatusView } from './status-view.js';
import { TableView } from './table-view.js';
import { TimelineView } from './timeline-view.js';
import { ReplayBar } from './replay-bar.js';
import { TreeView } from './tree-view.js';

type Tab = 'tree' | 'table' | 'finished' | 'timeline';
const TABS: readonly Tab[] = ['tree', 'table', 'finished', 'timeline'];

let state: UiState | null = null;
let selected: string | null = null;
let tab: Tab = TABS.find((t) => `#${t}` === location.hash) ?? 'tree';
let lastApplyMs: number | null = null;
let firstRender = true;

const actions: Actions = {
  select(id, reveal = false) {
    selected = id;
    renderAll();
    if (id !== null && reveal) {
      if (tab === 'tree') tree.reveal(id);
      else if (tab === 'table') table.reveal(id);
      else if (tab === 'finished') finished.reveal(id);
    }
  },
};

const status = new StatusView();
const tree = new TreeView(byId('tree'), byId('deadlocks'), byId('tree-empty'), actions);
const filterName = byId<HTMLInputElement>('filter-name');
const filterState = byId<HTMLSelectElement>('filter-state');
const filterAttributes = byId<HTMLInputElement>('filter-attributes');
const finishedName = byId<HTMLInputElement>('finished-name');
const finishedOutcome = byId<HTMLSelectElement>('finished-outcome');

const table = new TableView<PageTask, LiveColumn>({
  head: byId('table-head'),
  container: byId('table'),
  actions,
  id: (task) => task.id,
  initialSort: { column: 'age', descending: true },
  rowClass: (task, ctx) => `s-${liveState(task)}${ctx.deadlocked.has(task.id) ? ' deadlocked' : ''}`,
  rows: (ctx, sort) => {
    const filter: LiveFilter = { name: filterName.value, state: filterState.value as LiveFilter['state'], attributes: filterAttributes.value };
    return liveRows(ctx.state.snapshot?.tasks ?? [], filter, sort, ctx.deadlocked);
  },
  counted: (shown) => setText(byId('table-count'), `${shown} of ${state?.snapshot?.tasks.length ?? 0} tasks`),
  columns: [
    { id: 'name', title: 'Name', text: (t) => t.name },
    { id: 'id', title: 'Id', text: (t) => t.id },
    {
      id: 'state',
      title: 'State',
      text: (t, ctx) => (ctx.deadlocked.has(t.id) ? 'deadlock' : liveState(t) === 'cancelling' ? 'cancel requested' : liveState(t)),
      cellClass: (t, ctx) => `badge b-${ctx.deadlocked.has(t.id) ? 'deadlock' : liveState(t)}`,
    },
    { id: 'age', title: 'Age', text: (t) => formatDuration(t.ageMs), descendingFirst: true },
    { id: 'wait', title: 'Waiting on', text: (t, ctx) => (t.waitingOn === null ? '' : waitTarget(t.waitingOn, ctx.names)) },
    { id: 'for', title: 'For', text: (t) => (t.waitingOn === null ? '' : formatDuration(t.waitingOn.forMs)), descendingFirst: true },
    { id: 'awaitedBy', title: 'Awaited by', text: (t, ctx) => t.awaitedBy.map((id) => ctx.names.get(id) ?? id).join(', '), descendingFirst: true },
    { id: 'attributes', title: 'Attributes', text: (t) => attributesText(t.attributes) },
    { id: 'path', title: 'Path', text: (t) => t.path },
  ],
});

const finished = new TableView<FinishedInfo, FinishedColumn>({
  head: byId('finished-head'),
  container: byId('finished'),
  actions,
  id: (task) => task.id,
  initialSort: { column: 'settled', descending: true },
  rowClass: (task) => `o-${task.outcome}`,
  rows: (ctx, sort) =>
    finishedRows(ctx.state.snapshot?.finished ?? [], { name: finishedName.value, outcome: finishedOutcome.value as FinishedInfo['outcome'] | '' }, sort),
  counted: (shown) => setText(byId('finished-count'), `${shown} of ${state?.snapshot?.finished.length ?? 0} finished tasks (the process keeps the latest)`),
  columns: [
    { id: 'name', title: 'Name', text: (t) => t.name },
    { id: 'id', title: 'Id', text: (t) => t.id },
    { id: 'outcome', title: 'Outcome', text: (t) => t.outcome, cellClass: (t) => `badge b-${t.outcome}` },
    { id: 'duration', title: 'Duration', text: (t) => formatDuration(t.durationMs), descendingFirst: true },
    { id: 'settled', title: 'Settled', text: (t, ctx) => `${formatClock(t.settledAt)} · ${formatDuration(Math.max(0, ctx.state.serverTime - t.settledAt))} ago`, descendingFirst: true },
    { id: 'why', title: 'Error · cancelled by', text: (t) => t.error ?? (t.cancelled === null ? '' : cancelText(t.cancelled)) },
    { id: 'path', title: 'Path', text: (t) => t.path },
  ],
});

const timeline = new TimelineView(actions);
const detail = new DetailView(actions);
const replay = new ReplayBar(() => refetchNow());

function renderAll(): void {
  if (state === null) return;
  const started = performance.now();
  const ctx: Context = makeContext(state, selected);
  if (tab === 'tree') tree.render(ctx);
  else if (tab === 'table') table.render(ctx);
  else if (tab === 'finished') finished.render(ctx);
  else timeline.render(ctx);
  detail.render(ctx);
  status.render(state, lastApplyMs);
  replay.render(state);
  lastApplyMs = performance.now() - started;
  const root = document.documentElement;
  root.dataset['revision'] = String(state.revision);
  root.dataset['applyMs'] = lastApplyMs.toFixed(2);
  if (firstRender && state.snapshot !== null) {
    firstRender = false;
    performance.mark('tasktree:first-render');
  }
}

function showTab(next: Tab): void {
  const wantedTimeline = next === 'timeline' && tab !== 'timeline';
  tab = next;
  for (const button of document.querySelectorAll<HTMLElement>('[data-tab]')) setAttr(button, 'aria-selected', String(button.dataset['tab'] === tab));
  for (const name of TABS) setHidden(byId(`view-${name}`), name !== tab);
  history.replaceState(null, '', `#${tab}`);
  renderAll();
  // The timeline travels only while it is shown: ask for it now rather than at the next change.
  if (wantedTimeline) refetchNow();
}

for (const button of document.querySelectorAll<HTMLElement>('[data-tab]')) {
  button.addEventListener('click', () => showTab(button.dataset['tab'] as Tab));
}
for (const input of [filterName, filterState, filterAttributes]) input.addEventListener('input', () => renderAll());
for (const input of [finishedName, finishedOutcome]) input.addEventListener('input', () => renderAll());
for (const form of document.querySelectorAll('form.filters')) form.addEventListener('submit', (event) => event.preventDefault());

let revision = -1;
let inFlight: AbortController | null = null;
/** Replaying a recording: the loop waits for the reader to move the slider (or change tab). */
let replayWake: (() => void) | null = null;

function refetchNow(): void {
  revision = -1;
  inFlight?.abort();
  replayWake?.();
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function follow(): Promise<void> {
  for (;;) {
    const controller = new AbortController();
    inFlight = controller;
    try {
      const next = await fetchState(revision, tab === 'timeline', controller.signal, replay.at);
      revision = next.revision;
      state = next;
      renderAll();
      // A recording does not change: the next request is for another time, or another tab.
      if (next.replay !== null) await new Promise<void>((resolve) => (replayWake = resolve));
      replayWake = null;
    } catch (error) {
      if (controller.signal.aborted) continue;
      status.serverGone(error instanceof ServerGone ? error.message : String(error));
      await pause(2000);
    }
  }
}

showTab(tab);
void follow();
