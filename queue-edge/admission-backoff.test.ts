/**
 * Admission that follows backend health, end to end against real Redis and PostgreSQL: the API
 * (in process) publishes its hold p99, a real edge ticks a sale with fans waiting; holds are made
 * slow, the effective admission rate backs off by itself (and fewer fans are admitted), then the
 * holds are fast again and it recovers to the operator's setting, never above it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../test/support/checkout-harness.js';
import { eventually, Fan, newVisitor, sleep, startTestEdge, type TestEdge } from '../test/support/edge-test-harness.js';
import { queueKeys } from '../admission/queue-keys.js';
import { applySaleControl, initSaleSettings } from '../admission/sale-controls.js';
import { openEmptyQueue } from './opening-draw.js';
import { createDashboardReader } from '../checkout/admin/dashboard-data.js';
import { healthKeyOf } from '../admission/backend-health.js';
import { registry } from '../common/metrics.js';
import { queueStore } from './queue-store.js';

const RATE = 600;
// far past the threshold, which is far above a hold's time on a busy shared machine
const SLOW_MS = 1500;
const backoffEnv = { HEALTH_WINDOW_S: '2', ADMISSION_BACKOFF_HOLD_P99_MS: '1000', ADMISSION_BACKOFF_RECOVERY_PCT_PER_S: '50', ADMISSION_BACKOFF_FLOOR_PCT: '5' };

describe('admission backs off on a slow API and recovers', () => {
  let world: CheckoutWorld;
  let edge: TestEdge;
  let saleId: string;
  const fans: Fan[] = [];
  let holdDelayMs = 0;
  let driving = true;
  let driver: Promise<void>;
  const seen: number[] = [];

  beforeAll(async () => {
    world = await checkoutWorld({ gateway: 'demo', sale: { rows: 0, gaCapacity: 5000, shardCount: 2 }, env: backoffEnv });
    // the injected fault: every hold takes holdDelayMs longer (the route, metrics and health see it)
    const hold = world.deps.inventory.hold.bind(world.deps.inventory);
    world.deps.inventory.hold = async (...args) => {
      if (holdDelayMs > 0) await sleep(holdDelayMs);
      return hold(...args);
    };
    // the edge of the same deployment (one BullMQ prefix, so one health hash)
    edge = await startTestEdge({ BULLMQ_PREFIX: world.env.BULLMQ_PREFIX!, ...backoffEnv });
    // the checkout world's sale, open now, at RATE
    saleId = world.sale.saleId;
    await initSaleSettings(world.ctx.redis, saleId, { ratePerMin: RATE, maxActive: 100_000, opensAtMs: 0, closesAtMs: Date.now() + 3_600_000, prequeueOpensAtMs: 0 });
    await applySaleControl(world.ctx.redis, saleId, { action: 'set_rate', ratePerMin: RATE });
    await applySaleControl(world.ctx.redis, saleId, { action: 'set_max_shoppers', maxActive: 100_000 });
    await openEmptyQueue(queueStore(world.ctx.redis), saleId);
    // one fan on a socket (the edge ticks the sales it has fans for), thousands more in the queue
    const fan = await Fan.open(edge.wsUrl(saleId));
    fans.push(fan);
    await fan.join((await newVisitor(edge.url)).token);
    const store = queueStore(world.ctx.redis);
    for (let i = 0; i < 2000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => store.join(saleId, `v-${i + j}`, false)));
    // fans shopping: a steady trickle of holds, as slow as the API is
    const sectionId = world.sale.sectionIds.Floor;
    driver = (async () => {
      const shoppers = Array.from({ length: 8 }, async () => {
        while (driving) {
          const pass = await world.admit();
          await world.json('POST', `/v1/sales/${world.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId, quantity: 1 } });
        }
      });
      await Promise.all(shoppers);
    })();
  }, 60_000);

  afterAll(async () => {
    driving = false;
    await driver;
    await Promise.all(fans.map((f) => f.close()));
    await edge?.close();
    await world?.close();
  });

  const bucket = () => world.ctx.redis.hmget(queueKeys(saleId).bucket, 'eff_rate', 'breach');
  const admitted = async () => Number(await world.ctx.redis.hget(queueKeys(saleId).stats, 'admitted'));
  const effective = async (): Promise<number> => {
    const [eff] = await bucket();
    const v = eff === null ? RATE : Number(eff);
    seen.push(v);
    return v;
  };

  it('admits at the setting while holds are fast', async () => {
    await sleep(1500);
    expect(await effective()).toBe(RATE);
    expect((await bucket())[1] ?? '').toBe('');
  });

  it('halves the effective rate within seconds of the hold p99 passing its threshold, and admits fewer', async () => {
    holdDelayMs = SLOW_MS;
    const backedOff = await eventually(async () => {
      const [eff, breach] = await bucket();
      return eff !== null && Number(eff) <= RATE / 4 && breach === 'hold_p99_ms' ? Number(eff) : undefined;
    }, 12_000);
    expect(backedOff).toBeGreaterThanOrEqual(RATE * 0.05);
    // the bucket refills at the effective rate: over 2 s, at most a few ticks' worth at ≤ RATE/4
    const before = await admitted();
    await sleep(2000);
    const during = (await admitted()) - before;
    expect(during).toBeLessThanOrEqual(Math.ceil((RATE / 4 / 60) * 2) + 10);
    // the dashboard says so: the rate in force, the setting, the signal
    const dashboard = createDashboardReader({ pg: world.ctx.pg, redis: world.ctx.redis, availability: (id) => world.deps.inventory.availability(id), registry, healthKey: healthKeyOf(world.config) });
    const d = await dashboard.read(saleId);
    expect(d.admission.ratePerMin).toBe(RATE);
    expect(d.admission.effectiveRatePerMin).toBeLessThan(RATE / 2);
    expect(d.admission.breaching).toEqual(['hold_p99_ms']);
    expect(d.admission.health.hold_p99_ms).toBeGreaterThan(1000);
    // and the metrics
    const metrics = await registry.getSingleMetricAsString('usher_admission_backoff_engaged');
    expect(metrics).toContain(`usher_admission_backoff_engaged{sale="${saleId}"} 1`);
  }, 30_000);

  it('recovers to the setting within seconds once holds are fast again, never above it', async () => {
    holdDelayMs = 0;
    const started = Date.now();
    await eventually(async () => (await effective()) === RATE && ((await bucket())[1] ?? '') === '' ? true : undefined, 12_000);
    const recoveredInMs = Date.now() - started;
    expect(recoveredInMs).toBeLessThan(10_000);
    expect(Math.max(...seen)).toBeLessThanOrEqual(RATE);
    // the rate is admitted again
    const before = await admitted();
    await sleep(2000);
    expect((await admitted()) - before).toBeGreaterThanOrEqual(Math.floor((RATE / 60) * 2 * 0.6));
  }, 20_000);

  it('a sale can turn the backoff off, and an operator threshold of 0 stops watching a signal', async () => {
    holdDelayMs = SLOW_MS;
    await applySaleControl(world.ctx.redis, saleId, { action: 'set_backoff', holdP99Ms: 0 });
    await sleep(3000);
    expect(await effective()).toBe(RATE);
    await applySaleControl(world.ctx.redis, saleId, { action: 'set_backoff', holdP99Ms: null });
    await eventually(async () => ((await bucket())[1] === 'hold_p99_ms' ? true : undefined), 12_000);
    await applySaleControl(world.ctx.redis, saleId, { action: 'set_backoff', enabled: false });
    await eventually(async () => ((await effective()) === RATE ? true : undefined), 3000);
    holdDelayMs = 0;
  }, 40_000);
});
