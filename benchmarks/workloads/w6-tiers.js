// W6 — the cost per spawn of each overhead tier: W1's workload (spawn N children that each await
// one resolved promise, join them all) with tasktree off (no tasktree: plain promises), in its
// default tier, in debug mode without promise tracking (creation and await sites, the watchdog,
// leak reports), and in full debug mode (plus promise tracking: attributed rejections and
// never-awaited promises); with tasktree/otel's instrumentTasks() installed and no SDK registered
// (`otel-noop`: the API's no-op tracer), and with the SDK (`otel-sdk`: a NodeTracerProvider, a
// BatchSpanProcessor and an exporter that drops what it is given; each round's tasks spawned with a
// span active, as a request's are under its server span). The references, in that same set-up,
// both a span made by hand with four attributes (as many as tasktree sets at a span's start):
// `task-span` is the default tier's workload with each task making its own span (startSpan at its
// start, end at its end: what a user pays for one span in the same tasks; minus `default`, the
// reference of the target), and `sdk-span` the SDK alone, startSpan + end in a tight loop under a
// parent, N per sample (the SDK's best case).
// And the default tier with the flight recorder on (`recorder`: startRecording() with its default
// capacity of 10,000 events, so the ring wraps several times per sample).
// Result: nanoseconds per task (per span for sdk-span).
// Params: { system, n, reps, warmup }

import { main, perUnitSampler, repeat } from '../lib/harness.js';
import { child, systems as w1 } from './w1-spawn-join.js';

async function tiered(p, debug, recorder = false) {
  const { n } = p;
  const { TaskGroup } = await import('../../dist/src/index.js');
  if (recorder) (await import('../../dist/src/inspect/index.js')).startRecording();
  if (debug !== undefined) {
    const { enableDebug } = await import('../../dist/src/debug/index.js');
    enableDebug({ warnings: false, ...debug });
  }
  const once = () =>
    TaskGroup.run('w6', async (group) => {
      for (let i = 0; i < n; i++) group.spawn('child', child);
    });
  const nsPerTask = await repeat(p, perUnitSampler(n, once, p.sampleMs));
  if (debug !== undefined) (await import('../../dist/src/debug/index.js')).disableDebug();
  return { nsPerTask };
}

/** The SDK set-up of the otel tiers: spans batched (none dropped) to an exporter that does nothing. */
async function registerSdk() {
  const { BatchSpanProcessor, NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const exporter = { export: (spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() };
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 1_000_000 })] });
  provider.register();
  return provider;
}

/** The attributes of a span made by hand: four, as many as tasktree sets at a task's span's start. */
const attributesOf = (i) => ({ 'tasktree.task.id': i, 'tasktree.task.path': 'w6 › child', 'tasktree.group.name': 'w6', 'tasktree.task.daemon': false });

/** W1's round of tasks running `fn`, spawned with a span active (as a request's are under its server span). */
async function spannedRounds(n, fn) {
  const { context, trace } = await import('@opentelemetry/api');
  const { TaskGroup } = await import('../../dist/src/index.js');
  const tracer = trace.getTracer('w6');
  return async () => {
    const parent = tracer.startSpan('w6');
    await context.with(trace.setSpan(context.active(), parent), () =>
      TaskGroup.run('w6', async (group) => {
        for (let i = 0; i < n; i++) group.spawn('child', fn);
      }),
    );
    parent.end();
  };
}

async function otel(p, withSdk) {
  const { n } = p;
  const { instrumentTasks } = await import('../../dist/src/otel/index.js');
  const provider = withSdk ? await registerSdk() : undefined;
  const uninstall = instrumentTasks();
  const nsPerTask = await repeat(p, perUnitSampler(n, await spannedRounds(n, child), p.sampleMs));
  uninstall();
  await provider?.shutdown();
  return { nsPerTask };
}

async function taskSpans(p) {
  const { n } = p;
  const { trace } = await import('@opentelemetry/api');
  const provider = await registerSdk();
  const tracer = trace.getTracer('w6');
  let id = 0;
  const spanned = async () => {
    const span = tracer.startSpan('child', { attributes: attributesOf(id++) });
    try {
      await child();
    } finally {
      span.end();
    }
  };
  const nsPerTask = await repeat(p, perUnitSampler(n, await spannedRounds(n, spanned), p.sampleMs));
  await provider.shutdown();
  return { nsPerTask };
}

async function sdkSpans(p) {
  const { n } = p;
  const { context, trace } = await import('@opentelemetry/api');
  const provider = await registerSdk();
  const tracer = trace.getTracer('w6');
  const once = async () => {
    const parent = tracer.startSpan('w6');
    const ctx = trace.setSpan(context.active(), parent);
    for (let i = 0; i < n; i++) tracer.startSpan('child', { attributes: attributesOf(i) }, ctx).end();
    parent.end();
    await Promise.resolve();
  };
  const nsPerTask = await repeat(p, perUnitSampler(n, once, p.sampleMs));
  await provider.shutdown();
  return { nsPerTask };
}

main({
  // The floor: W1's bare system, unchanged.
  plain: (p) => w1.bare(p),
  default: (p) => tiered(p, undefined),
  recorder: (p) => tiered(p, undefined, true),
  'debug-sites': (p) => tiered(p, { promises: false }),
  debug: (p) => tiered(p, {}),
  'otel-noop': (p) => otel(p, false),
  'otel-sdk': (p) => otel(p, true),
  'task-span': (p) => taskSpans(p),
  'sdk-span': (p) => sdkSpans(p),
});
