/**
 * One purchase is one trace across the roles (common/tracing.ts), checked on the spans an
 * in-memory exporter collects: a real edge (the fan joins over WebSocket, takes the offer, gets a
 * pass carrying the trace), the API in process (hold, checkout, the Stripe webhook against the
 * stand-in) and a real commit worker, on real Redis and PostgreSQL.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { registerTracing, withSpan } from './tracing.js';
import { createLogger } from './logger.js';
import { checkoutWorld, type CheckoutWorld } from '../test/support/checkout-harness.js';
import { Fan, newVisitor, startTestEdge, type TestEdge } from '../test/support/edge-test-harness.js';
import { deliver, orderStatusOf, until } from '../test/support/checkout-flow.js';
import { applySaleControl, initSaleSettings } from '../admission/sale-controls.js';
import { openEmptyQueue } from '../queue-edge/opening-draw.js';
import { queueStore } from '../queue-edge/queue-store.js';
import { startCommitWorker, type RunningWorker } from '../checkout/worker/commit/commit-worker.js';

const exporter = new InMemorySpanExporter();

describe('one purchase, one trace across edge, API and worker', () => {
  let edge: TestEdge;
  let world: CheckoutWorld;
  let worker: RunningWorker;
  let holdId: string;

  beforeAll(async () => {
    // before any client is made: connectRedis / createPgPool wrap theirs only when tracing is on
    await registerTracing('usher-test', [new SimpleSpanProcessor(exporter)]);
    edge = await startTestEdge();
    const jwks = (await (await fetch(`${edge.url}/.well-known/jwks.json`)).json()) as { keys: never[] };
    world = await checkoutWorld({ passJwks: jwks });
    const saleId = world.sale.saleId;
    await initSaleSettings(world.ctx.redis, saleId, { ratePerMin: 6000, maxActive: 1000, opensAtMs: 0, closesAtMs: Date.now() + 3_600_000, prequeueOpensAtMs: 0 });
    await applySaleControl(world.ctx.redis, saleId, { action: 'set_rate', ratePerMin: 6000 });
    await openEmptyQueue(queueStore(world.ctx.redis), saleId);
    worker = startCommitWorker(world.deps, { concurrency: 2 });
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await edge?.close();
    await world?.close();
  });

  it('joins, is admitted, holds, pays, and the worker commits', async () => {
    const fan = await Fan.open(edge.wsUrl(world.sale.saleId));
    await fan.join((await newVisitor(edge.url)).token);
    await fan.next('offer');
    fan.send({ v: 1, type: 'take' });
    const { pass } = (await fan.next('admitted')) as unknown as { pass: string };
    await fan.close();

    const held = await world.json('POST', `/v1/sales/${world.sale.saleId}/holds`, { token: pass, body: { kind: 'best', sectionId: world.sale.sectionIds['Block A'], quantity: 2 } });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    holdId = held.body.holdId;
    const co = await world.json('POST', `/v1/holds/${holdId}/checkout`, { token: pass, body: { email: 'fan@example.com' } });
    expect(co.status, JSON.stringify(co.body)).toBe(200);
    world.stripe!.authorize(co.body.paymentIntentId);
    expect((await deliver(world, 'payment_intent.amount_capturable_updated', co.body.paymentIntentId)).status).toBe(200);
    await until('order confirmed', async () => (await orderStatusOf(world, holdId)) === 'confirmed');
    // the commit's span ends when the job returns, just after the order reads confirmed
    await until('commit span', async () => exporter.getFinishedSpans().some((s) => s.name === 'commit'));
  }, 30_000);

  it('is one trace: join → admit → hold, checkout, webhook → commit, with Redis and PostgreSQL spans', async () => {
    const spans = exporter.getFinishedSpans();
    const one = (name: string, where: (s: ReadableSpan) => boolean = () => true): ReadableSpan => {
      const found = spans.filter((s) => s.name === name && where(s));
      expect(found.map((s) => s.name), `exactly one ${name}`).toHaveLength(1);
      return found[0]!;
    };
    const join = one('queue.join');
    const traceId = join.spanContext().traceId;
    const inTrace = (s: ReadableSpan) => s.spanContext().traceId === traceId;
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

    const admit = one('queue.admit', inTrace);
    const hold = one('POST /v1/sales/:sale/holds', inTrace);
    const checkout = one('POST /v1/holds/:id/checkout', inTrace);
    const webhook = one('stripe.webhook payment_intent.amount_capturable_updated', inTrace);
    const commit = one('commit', inTrace);

    expect(parentOf(join)).toBeUndefined();
    expect(parentOf(admit)).toBe(join.spanContext().spanId);
    // every request made with the pass, and the payment's webhook, are children of the admission
    expect(parentOf(hold)).toBe(admit.spanContext().spanId);
    expect(parentOf(checkout)).toBe(admit.spanContext().spanId);
    expect(parentOf(webhook)).toBe(admit.spanContext().spanId);
    // the webhook keeps a link to the delivery's own request span (a trace of its own)
    const delivery = one('POST /v1/webhooks/stripe');
    expect(webhook.links.map((l) => l.context.spanId)).toEqual([delivery.spanContext().spanId]);
    expect(parentOf(commit)).toBe(webhook.spanContext().spanId);
    expect(commit.attributes['usher.outcome']).toBe('confirmed');
    expect(hold.attributes['http.response.status_code']).toBe(201);

    const childrenOf = (s: ReadableSpan) => spans.filter((c) => parentOf(c) === s.spanContext().spanId && inTrace(c)).map((c) => c.name);
    // the queue's Lua on the edge, the hold's on the API, the commit's transaction on the worker
    expect(childrenOf(join)).toContain('redis EVALSHA');
    expect(childrenOf(admit)).toContain('redis EVALSHA');
    expect(childrenOf(hold)).toContain('redis EVALSHA');
    // (the order, its tickets and payment are one statement: a CTE, its own transaction)
    expect(childrenOf(commit)).toEqual(expect.arrayContaining(['pg SELECT', 'pg WITH', 'redis EVALSHA']));
    // the commit job was added to BullMQ from inside the webhook's span
    expect(childrenOf(webhook)).toContain('redis EVALSHA');
    // no Redis or PostgreSQL span is a root: background polling makes no traces
    expect(spans.filter((s) => /^(redis|pg) /.test(s.name) && !s.parentSpanContext)).toEqual([]);
  });

  it('puts trace_id and span_id on log lines written inside a span', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = createLogger('info', {}, sink);
    log.info('outside');
    const ids = await withSpan('logged', {}, (span) => {
      log.info('inside');
      return span!.spanContext();
    });
    const [outside, inside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(outside!.trace_id).toBeUndefined();
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
  });
});
