/**
 * The page's two requests. The token travels in the HttpOnly cookie the server set on the first
 * load (the page's scripts never see it); the browser adds `Origin` to the POST, which the server
 * checks.
 */
import type { CancelAction, ErrorAnswer, UiState } from '../protocol.js';

/** Thrown when the server cannot be reached, or answers something unexpected. */
export class ServerGone extends Error {}

/**
 * Waits for the state after `revision` (the server holds the request until it changes); replaying
 * a recording, `at` asks for the state at that time (epoch ms), answered at once.
 */
export async function fetchState(revision: number, timeline: boolean, signal: AbortSignal, at: number | null = null): Promise<UiState> {
  let res: Response;
  try {
    res = await fetch(`/api/state?after=${revision}${timeline ? '&timeline=1' : ''}${at === null ? '' : `&at=${at}`}`, { signal, cache: 'no-store' });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ServerGone('tasktree ui does not answer (was it stopped?)');
  }
  if (!res.ok) throw new ServerGone(await errorText(res));
  const state = (await res.json()) as UiState;
  if (state.uiFormatVersion !== 1) throw new ServerGone(`the server sent format ${String(state.uiFormatVersion)}; this page reads format 1: reload it`);
  return state;
}

/** Asks for a cancellation; resolves with the action the server recorded (failed or not). */
export async function postCancel(task: string, reason: string): Promise<CancelAction> {
  let res: Response;
  try {
    res = await fetch('/api/cancel', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ task, reason }),
    });
  } catch {
    throw new ServerGone('tasktree ui does not answer (was it stopped?)');
  }
  const body = (await res.json().catch(() => null)) as { action?: CancelAction } | ErrorAnswer | null;
  if (body !== null && 'action' in body && body.action !== undefined) return body.action;
  throw new ServerGone(body !== null && 'error' in body ? body.error.message : `HTTP ${res.status}`);
}

async function errorText(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as ErrorAnswer | null;
  return `tasktree ui answered ${res.status}: ${body?.error?.message ?? res.statusText}`;
}
