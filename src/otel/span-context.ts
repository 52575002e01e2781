// A task's span as the active span of a context, and running the task's function in that context.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, context, createContextKey, trace, type Context, type Span } from '@opentelemetry/api';

/**
 * The key under which the API keeps the active span in a context. The API makes its keys with
 * `Symbol.for` so that every copy of it agrees; checked once here, against `trace.getSpan`.
 */
export const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');

/** Whether a context of ours (a `TaskSpan`) is read as the API reads its own: else it is copied. */
export const OWN_CONTEXT = ((): boolean => {
  const marker = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0 });
  const probe: Context = { getValue: (key) => (key === SPAN_KEY ? marker : undefined), setValue: () => ROOT_CONTEXT, deleteValue: () => ROOT_CONTEXT };
  return trace.getSpan(probe) === marker;
})();

/** `parent` with `span` active, as the API would make it (for parents of spans, and the fallback). */
export function withSpan(parent: Context, span: Span): Context {
  return trace.setSpan(parent, span);
}

type Manager = { _asyncLocalStorage?: unknown };
const api = context as unknown as { _getContextManager?(): Manager | undefined };
let manager: Manager | undefined;
let store: AsyncLocalStorage<Context> | undefined;

/**
 * The AsyncLocalStorage the registered context manager reads the active context from, when it is
 * one (the SDK's `AsyncLocalStorageContextManager`) and reads it so — checked once per manager:
 * a context entered there must be what `context.active()` returns.
 */
function managerStore(): AsyncLocalStorage<Context> | undefined {
  const current = api._getContextManager?.();
  if (current === manager) return store;
  manager = current;
  store = undefined;
  const als = current?._asyncLocalStorage;
  if (als instanceof AsyncLocalStorage) {
    const marker = ROOT_CONTEXT.setValue(SPAN_KEY, undefined);
    if (als.run(marker, () => context.active() === marker)) store = als as AsyncLocalStorage<Context>;
  }
  return store;
}

/**
 * Calls `fn(task)` with `ctx` the active OpenTelemetry context. The core calls a tracer in the
 * task's own async context, entered for the task alone and left after it (see hooks.ts): so `ctx`
 * is entered into the context manager's storage as the core enters its own (one `enterWith`, not
 * `context.with`'s `run()`, which copies the context frame twice on Node 24 and 26); with another
 * context manager, through `context.with`.
 */
export function enterContext(ctx: Context, fn: (task: never) => unknown, task: unknown): unknown {
  const als = managerStore();
  if (als === undefined) return context.with(ctx, fn as (task: unknown) => unknown, undefined, task);
  als.enterWith(ctx);
  return (fn as (task: unknown) => unknown)(task);
}
