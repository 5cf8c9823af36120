import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { registry } from '../../common/metrics.js';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { persistentAudit, reportQueueDepths } from './worker-gauges.js';
import { followSaleWindows, sweepHolds } from './periodic-tasks.js';
import { leaseIsActive } from '../../admission/pass-lease.js';

let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'demo' });
});
afterAll(() => w.close());

async function gaugeValue(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

describe('worker gauges', () => {
  it('reports an audit violation only once two audits in a row see it', async () => {
    const audit = persistentAudit(w.deps, w.ctx.log);
    await audit();
    expect(await gaugeValue('usher_audit_violations', { sale: w.sale.saleId })).toBe(0);

    // a live ticket Postgres has and Redis does not know about: a real violation
    const { rows } = await w.ctx.pg.query<{ id: number; section_id: string }>(
      `SELECT s.id, s.section_id FROM seats s WHERE s.section_id = $1 ORDER BY s.id LIMIT 1`, [w.sale.sectionIds['Block A']]);
    const orderId = `ghost-${randomUUID()}`;
    await w.ctx.pg.query(
      `INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
       SELECT $1, id, event_id, 'ghost@example.com', $1, 100, 'EUR', 'confirmed' FROM sales WHERE id = $2`, [orderId, w.sale.saleId]);
    await w.ctx.pg.query(
      `INSERT INTO tickets (order_id, event_id, section_id, seat_id, tier_code, price_minor)
       SELECT $1, event_id, $2, $3, 'P1', 100 FROM sales WHERE id = $4`, [orderId, rows[0]!.section_id, rows[0]!.id, w.sale.saleId]);

    await audit();
    expect(await gaugeValue('usher_audit_violations', { sale: w.sale.saleId })).toBe(0);
    await audit();
    expect(await gaugeValue('usher_audit_violations', { sale: w.sale.saleId })).toBeGreaterThan(0);

    await w.ctx.pg.query(`UPDATE tickets SET status = 'void', voided_at = now() WHERE order_id = $1`, [orderId]);
    await audit();
    expect(await gaugeValue('usher_audit_violations', { sale: w.sale.saleId })).toBe(0);
  });

  it('reports waiting jobs per BullMQ queue', async () => {
    await w.deps.commits.queue.add('probe', { holdId: 'x' } as never, { delay: 0, jobId: `probe-${randomUUID()}` });
    await reportQueueDepths(w.deps);
    expect(await gaugeValue('usher_queue_jobs_waiting', { queue: w.deps.commits.queue.name })).toBeGreaterThanOrEqual(1);
  });

  it('ends the lease of a pass whose hold expired, freeing the shopper slot', async () => {
    const pass = await w.admit();
    const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 1 } });
    expect(held.status).toBe(201);
    expect(await leaseIsActive(w.ctx.redis, w.sale.saleId, pass.jti)).toBe(true);
    const report = await sweepHolds(w.deps, Date.now() + 3_600_000, [w.sale.saleId]);
    expect(report.expiredPasses).toContainEqual({ saleId: w.sale.saleId, passJti: pass.jti });
    expect(await leaseIsActive(w.ctx.redis, w.sale.saleId, pass.jti)).toBe(false);
  });

  it('opens published sales at opens_at and closes them at closes_at in Postgres', async () => {
    const status = async () => (await w.ctx.pg.query<{ status: string }>('SELECT status FROM sales WHERE id = $1', [w.sale.saleId])).rows[0]!.status;
    await w.ctx.pg.query(`UPDATE sales SET status = 'published' WHERE id = $1`, [w.sale.saleId]);
    expect(await followSaleWindows(w.ctx.pg)).toBeGreaterThanOrEqual(1);
    expect(await status()).toBe('open');
    const { rows } = await w.ctx.pg.query<{ closes_at: Date }>('SELECT closes_at FROM sales WHERE id = $1', [w.sale.saleId]);
    await w.ctx.pg.query(`UPDATE sales SET opens_at = now() - interval '2 hours', closes_at = now() - interval '1 second', prequeue_opens_at = now() - interval '3 hours' WHERE id = $1`, [w.sale.saleId]);
    await followSaleWindows(w.ctx.pg);
    expect(await status()).toBe('closed');
    await w.ctx.pg.query(`UPDATE sales SET closes_at = $2, status = 'open' WHERE id = $1`, [w.sale.saleId, rows[0]!.closes_at]);
  });
});
