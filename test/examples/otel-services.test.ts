// The two-service example, in two real processes, exporting with OTLP/HTTP to a receiver this test
// runs on 127.0.0.1: one trace, pricing's task spans under checkout's client span, under checkout's
// task spans, with the right names and outcomes.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { startChild } from '../helpers/child.js';

interface OtlpSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  status: { code?: number; message?: string };
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
}

interface KeyValue {
  key: string;
  value: Record<string, unknown>;
}
function attributeMap(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = value['stringValue'] ?? value['boolValue'] ?? value['intValue'] ?? value['doubleValue'];
  return out;
}
/** OTLP/JSON ids are hex; accept base64 (the protobuf JSON mapping) too. */
function hex(id: string | undefined): string {
  if (id === undefined || id === '') return '';
  return /^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex');
}

/** An OTLP/HTTP receiver for traces (JSON): collects every span it is sent. */
async function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; contentTypes: Set<string>; close(): Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const contentTypes = new Set<string>();
  const read = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
  };
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      contentTypes.add(String(req.headers['content-type']));
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.statusCode = 415;
        res.end();
        return;
      }
      const request = JSON.parse(body.toString('utf8')) as {
        resourceSpans: { resource: { attributes: KeyValue[] }; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
      };
      for (const rs of request.resourceSpans) {
        const service = String(attributeMap(rs.resource.attributes)['service.name']);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              service,
              traceId: hex(s['traceId'] as string),
              spanId: hex(s['spanId'] as string),
              parentSpanId: hex(s['parentSpanId'] as string | undefined),
              name: s['name'] as string,
              kind: s['kind'] as number,
              status: (s['status'] ?? {}) as OtlpSpan['status'],
              attributes: attributeMap(s['attributes'] as KeyValue[]),
              events: ((s['events'] ?? []) as { name: string; attributes: KeyValue[] }[]).map((e) => ({ name: e.name, attributes: attributeMap(e.attributes) })),
            });
          }
        }
      }
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, spans, contentTypes, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the two-service OpenTelemetry example (examples/otel-services.ts)', () => {
  it('exports one trace across both processes: pricing’s task spans under checkout’s client span, under checkout’s task spans', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.close());
    const example = startChild(fileURLToPath(new URL('../../examples/otel-services.js', import.meta.url)), [], {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
    });
    const timer = setTimeout(() => example.process.kill('SIGKILL'), 60_000);
    const exit = await example.exited;
    clearTimeout(timer);
    assert.equal(exit.code, 0, `${example.stdout}\n${example.stderr}`);
    assert.match(example.stdout, /GET \/checkout\/42 → 200 \{"cart":\{"id":"42","items":3\},"price":2041,"giftWrap":"unavailable"\}/);
    assert.deepEqual([...receiver.contentTypes], ['application/json']);

    const spans = receiver.spans;
    const byName = (name: string): OtlpSpan => {
      const found = spans.filter((s) => s.name === name);
      assert.equal(found.length, 1, `one span named '${name}' (have: ${spans.map((s) => s.name).join(', ')})`);
      return found[0] as OtlpSpan;
    };
    assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace');
    const request = byName('checkout /checkout/42');
    const cart = byName('load-cart');
    const getPrice = byName('get-price');
    const client = byName('GET /price/42');
    const giftWrap = byName('gift-wrap');
    const quote = byName('pricing /price/42');
    const lookup = byName('lookup-price');
    const warm = byName('warm-cache');
    assert.equal(spans.length, 8, spans.map((s) => s.name).join(', '));

    // The nesting, across the two processes.
    assert.equal(request.parentSpanId, '', 'the request is the trace’s root');
    for (const child of [cart, getPrice, giftWrap]) assert.equal(child.parentSpanId, request.spanId, child.name);
    assert.equal(client.parentSpanId, getPrice.spanId);
    assert.equal(quote.parentSpanId, client.spanId, 'pricing’s request under checkout’s client span');
    assert.equal(lookup.parentSpanId, quote.spanId);
    assert.equal(warm.parentSpanId, quote.spanId);
    for (const s of [request, cart, getPrice, client, giftWrap]) assert.equal(s.service, 'checkout', s.name);
    for (const s of [quote, lookup, warm]) assert.equal(s.service, 'pricing', s.name);

    // Kinds and outcomes.
    assert.equal(client.kind, 3, 'CLIENT');
    for (const s of [request, cart, getPrice, giftWrap, quote, lookup, warm]) assert.equal(s.kind, 1, `${s.name} is INTERNAL`);
    for (const s of [request, cart, getPrice, quote, lookup]) {
      assert.equal(s.attributes['tasktree.task.outcome'], undefined, `${s.name}: fulfilled, so no outcome`);
      assert.ok((s.status.code ?? 0) === 0, `${s.name}: status unset`);
    }
    assert.equal(giftWrap.attributes['tasktree.task.outcome'], 'rejected');
    assert.equal(giftWrap.status.code, 2, 'ERROR');
    assert.equal(giftWrap.status.message, 'Error: gift-wrap service down');
    assert.equal(giftWrap.events.find((e) => e.name === 'exception')?.attributes['exception.message'], 'gift-wrap service down');
    assert.equal(warm.attributes['tasktree.task.outcome'], 'cancelled');
    assert.ok((warm.status.code ?? 0) === 0, 'a cancellation is not an error');
    assert.equal(warm.events.find((e) => e.name === 'tasktree.cancelled')?.attributes['tasktree.cancel.kind'], 'scope-done');
    assert.equal(lookup.attributes['tasktree.task.path'], 'main › requests › pricing /price/42 › lookup-price');
  });
});
