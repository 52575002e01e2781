// W6 — the cost per spawn of each overhead tier: W1's workload (spawn N children that each await
// one resolved promise, join them all) with tasktree off (no tasktree: plain promises), in its
// default tier, in debug mode without promise tracking (creation and await sites, the watchdog,
// leak reports), and in full debug mode (plus promise tracking: attributed rejections and
// never-awaited promises); with tasktree/otel's instrumentTasks() installed and no SDK registered
// (`otel-noop`: the API's no-op tracer), and with the SDK (`otel-sdk`: a NodeTracerProvider, a
// BatchSpanProcessor and an exporter that drops what it is given; each round's tasks spawned with a
// span active, as a request's are under its server span); and the SDK's own cost per span in that
// same set-up (`sdk-span`: startSpan with four attributes — as many as tasktree sets on a task's
// span at its start — and end, under a parent, N per sample): what a user pays for one span, the
// reference.
// Result: nanoseconds per task (per span for sdk-span).
// Params: { system, n, reps, warmup }

import { main, perUnitSampler, repeat } from '../lib/harness.js';
import { child, systems as w1 } from './w1-spawn-join.js';

async function tiered(p, debug) {
  const { n } = p;
  const { TaskGroup } = await import('../../dist/src/index.js');
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

async function otel(p, withSdk) {
  const { n } = p;
  const { context, trace } = await import('@opentelemetry/api');
  const { TaskGroup } = await import('../../dist/src/index.js');
  const { instrumentTasks } = await import('../../dist/src/otel/index.js');
  const provider = withSdk ? await registerSdk() : undefined;
  const tracer = trace.getTracer('w6');
  const uninstall = instrumentTasks();
  const once = async () => {
    const parent = tracer.startSpan('w6');
    await context.with(trace.setSpan(context.active(), parent), () =>
      TaskGroup.run('w6', async (group) => {
        for (let i = 0; i < n; i++) group.spawn('child', child);
      }),
    );
    parent.end();
  };
  const nsPerTask = await repeat(p, perUnitSampler(n, once, p.sampleMs));
  uninstall();
  await provider?.shutdown();
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
    for (let i = 0; i < n; i++) {
      const attributes = { 'tasktree.task.id': i, 'tasktree.task.path': 'w6 › child', 'tasktree.group.name': 'w6', 'tasktree.task.daemon': false };
      tracer.startSpan('child', { attributes }, ctx).end();
    }
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
  'debug-sites': (p) => tiered(p, { promises: false }),
  debug: (p) => tiered(p, {}),
  'otel-noop': (p) => otel(p, false),
  'otel-sdk': (p) => otel(p, true),
  'sdk-span': (p) => sdkSpans(p),
});
