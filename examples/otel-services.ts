// Two services, one trace: `checkout` handles GET /checkout/ID as a task tree and, from one of its
// tasks, calls `pricing` over HTTP, passing the W3C `traceparent` header; `pricing` handles the call
// as its own task tree, under checkout's client span. Every task is a span (tasktree/otel); both
// services export with OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (default
// http://localhost:4318/v1/traces: an OpenTelemetry Collector, Jaeger, Tempo…).
//
// Run: node dist/examples/otel-services.js
// It starts pricing in a child process and checkout in this one, sends one request to checkout,
// prints the answer, then stops both services (SIGTERM to pricing; each flushes
// its spans before it exits). (`node dist/examples/otel-services.js pricing` runs pricing alone.)
import { spawn as spawnProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { TaskGroup, run, sleep, spawn, type Task } from '../src/index.js';
import { instrumentTasks } from '../src/otel/index.js';

/** The OpenTelemetry set-up of one service: every task a span, exported with OTLP/HTTP. */
function setUpTracing(service: string): () => Promise<void> {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  // `main` lives as long as the service: left out, each request is a trace of its own.
  const uninstall = instrumentTasks({ filter: (task) => task.name !== 'main' });
  return async () => {
    uninstall();
    await provider.shutdown(); // exports what is still buffered
  };
}

/**
 * Serves `handle` until the process is told to stop (SIGTERM/SIGINT): each request a task
 * spawned in the context the caller sent (its `traceparent`), so its span continues the caller's trace.
 */
async function serve(name: string, port: number, handle: (req: IncomingMessage, task: Task) => Promise<string>, ready: (port: number) => void): Promise<void> {
  await run(
    async function main(main) {
      await TaskGroup.run('requests', async (requests) => {
        const server = createServer((req: IncomingMessage, res: ServerResponse) => {
          const caller = propagation.extract(context.active(), req.headers);
          context.with(caller, () =>
            requests.spawn(`${name} ${req.url ?? '/'}`, async (task) => {
              try {
                res.end(await handle(req, task));
              } catch (error) {
                res.statusCode = 500;
                res.end(String(error));
              }
            }),
          );
        });
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
        ready((server.address() as AddressInfo).port);
        await new Promise((resolve) => main.signal.addEventListener('abort', resolve, { once: true }));
        server.close();
      });
    },
    { exitOnSignal: false, dumpSignal: false },
  ).catch(() => undefined); // stopped by the signal: a cancellation, as asked
}

/** pricing: GET /price/ID → the price, from a lookup; a cache warm-up runs beside it as a daemon. */
async function pricing(): Promise<void> {
  const shutdown = setUpTracing('pricing');
  await serve(
    'pricing',
    0,
    async (req) => {
      const id = /\/price\/(\d+)/.exec(req.url ?? '')?.[1] ?? '0';
      // A daemon: cancelled once the request's real work is done.
      spawn('warm-cache', (task) => sleep(60_000, { signal: task.signal }), { daemon: true });
      const price = await spawn('lookup-price', async () => {
        await sleep(3);
        return 1999 + Number(id);
      });
      return JSON.stringify({ id, price });
    },
    (port) => console.log(`pricing listening on ${port}`),
  );
  await shutdown();
}

/** checkout: GET /checkout/ID → loads the cart and asks pricing, while an optional extra fails. */
async function checkout(pricingPort: number, ready: (port: number) => void): Promise<void> {
  const shutdown = setUpTracing('checkout');
  const tracer = trace.getTracer('checkout');
  await serve(
    'checkout',
    0,
    async (req) => {
      const id = /\/checkout\/(\d+)/.exec(req.url ?? '')?.[1] ?? '0';
      const cart = spawn('load-cart', async () => {
        await sleep(2);
        return { id, items: 3 };
      });
      const price = spawn('get-price', (task) =>
        // An HTTP client span (what @opentelemetry/instrumentation-http would make), its context
        // sent along as `traceparent`.
        tracer.startActiveSpan(`GET /price/${id}`, { kind: SpanKind.CLIENT }, async (span) => {
          try {
            const headers: Record<string, string> = {};
            propagation.inject(context.active(), headers);
            const response = await fetch(`http://127.0.0.1:${pricingPort}/price/${id}`, { headers, signal: task.signal });
            return ((await response.json()) as { price: number }).price;
          } finally {
            span.end();
          }
        }),
      );
      // An optional extra that fails: its group's error is caught, the request goes on.
      const giftWrap = await TaskGroup.run('extras', async (extras) => {
        extras.spawn('gift-wrap', async () => {
          throw new Error('gift-wrap service down');
        });
      }).then(
        () => 'yes',
        () => 'unavailable',
      );
      return JSON.stringify({ cart: await cart, price: await price, giftWrap });
    },
    ready,
  );
  await shutdown();
}

async function demo(): Promise<void> {
  const child = spawnProcess(process.execPath, [fileURLToPath(import.meta.url), 'pricing'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pricingPort = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      const port = /pricing listening on (\d+)/.exec(text)?.[1];
      if (port !== undefined) resolve(Number(port));
    });
    child.on('exit', (code) => reject(new Error(`pricing exited (${code}) before it listened`)));
  });
  const pricingExited = new Promise((resolve) => child.on('exit', resolve));
  await checkout(pricingPort, (port) => {
    void (async () => {
      const response = await fetch(`http://127.0.0.1:${port}/checkout/42`);
      console.log(`GET /checkout/42 → ${response.status} ${await response.text()}`);
      child.kill('SIGTERM');
      await pricingExited;
      process.kill(process.pid, 'SIGTERM'); // stop checkout too: its run() ends, its spans are flushed
    })();
  });
  console.log('both services stopped; their spans were exported');
}

if (process.argv[2] === 'pricing') await pricing();
else await demo();
