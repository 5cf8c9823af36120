import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueKeys } from '../../admission/queue-keys.js';
import { seedSale } from '../../scripts/seed-sale.js';
import { uniqueId } from '../../test/support/databases.js';
import { requireAdmin } from '../accounts/auth-middleware.js';
import { Hono } from 'hono';
import { cancelOrder, orderCancellation, type OrderCancellationDeps } from '../orders/order-cancellation.js';
import { createDemoGateway } from '../payments/demo-gateway.js';
import type { PaymentGateway } from '../payments/payment-gateway.js';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { adminToken, call } from '../../test/support/admin-test-kit.js';
import { createEventCanceller } from './event-cancellation.js';
import { createEventRouter } from './event-routes.js';

/** The real demo gateway, with every refund call recorded (payment intent → idempotency keys). */
const refundKeys = new Map<string, Set<string>>();
let deps: OrderCancellationDeps;
let h: ApiHarness;
let admin: string;

beforeAll(async () => {
  h = await apiHarness([(s) => {
    const { ctx } = s;
    const app = new Hono();
    const real = createDemoGateway(ctx.redis);
    const gateway: PaymentGateway = {
      ...real,
      refund: (id, amount, key) => {
        refundKeys.set(id, (refundKeys.get(id) ?? new Set()).add(key));
        return real.refund(id, amount, key);
      },
    };
    deps = { ...orderCancellation(s), gateways: { of: () => gateway, default: gateway } };
    app.use('/v1/admin/*', requireAdmin({ ...s, adminApiToken: undefined }));
    app.route('/', createEventRouter({
      pg: ctx.pg, reminders: s.notifications,
      canceller: createEventCanceller({ pg: ctx.pg, redis: ctx.redis, inventory: s.inventory, log: ctx.log, cancelOrder: (id) => cancelOrder(deps, id, 'event_cancelled') }),
    }));
    return app;
  }]);
  admin = await adminToken(h.services);
});
afterAll(() => h?.close());

async function paidOrder(sale: { saleId: string; eventId: string; sectionIds: Record<string, string> }, status: 'confirmed' | 'committed'): Promise<{ id: string; pi: string }> {
  const id = uniqueId('order-');
  const demo = createDemoGateway(h.ctx.redis);
  const pi = await demo.authorize({ holdId: id, saleId: sale.saleId, amountMinor: 9000, currency: 'EUR', email: 'fan@example.com', description: 'test', idempotencyKey: id });
  await demo.simulateAuthorization(pi.id);
  if (status === 'confirmed') await demo.capture(pi.id, `capture-${id}`);
  await h.db.pool.query(
    `INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status) VALUES ($1, $2, $3, 'fan@example.com', $4, 9000, 'EUR', $5)`,
    [id, sale.saleId, sale.eventId, pi.id, status]);
  await h.db.pool.query(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor) SELECT $1, $2, $3, 'GA', 4500 FROM generate_series(1, 2)`,
    [id, sale.eventId, sale.sectionIds.Floor]);
  return { id, pi: pi.id };
}

describe('cancelling an event', () => {
  it('closes its sales and refunds every order exactly once, however often or concurrently it is called', async () => {
    const sale = await seedSale(h.db.pool, {
      key: uniqueId('cancel'), sections: [{ name: 'Floor', kind: 'ga', capacity: 100, tierCode: 'GA' }], tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }],
    });
    await h.services.inventory.publish(sale.saleId);
    const orders = await Promise.all(Array.from({ length: 6 }, () => paidOrder(sale, 'confirmed')));
    const late = await paidOrder(sale, 'committed'); // still being confirmed by the worker

    const path = `/v1/admin/events/${sale.eventId}/cancel`;
    const [a, b] = await Promise.all([call(h.app, admin, 'POST', path), call(h.app, admin, 'POST', path)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(new Set([...(a.body.cancelled as string[]), ...(b.body.cancelled as string[])])).toEqual(new Set(orders.map((o) => o.id)));
    expect((a.body.cancelled as string[]).length + (b.body.cancelled as string[]).length).toBe(6);
    expect(a.body.pending).toEqual([expect.objectContaining({ orderId: late.id })]);

    // the worker confirms the late order; the organiser runs the cancel again
    const demo = createDemoGateway(h.ctx.redis);
    await demo.capture(late.pi, `capture-${late.id}`);
    await h.db.pool.query(`UPDATE orders SET status = 'confirmed' WHERE id = $1`, [late.id]);
    const c = await call(h.app, admin, 'POST', path);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ cancelled: [late.id], pending: [] });
    expect((c.body.alreadyCancelled as string[]).length).toBe(6);
    expect((await call(h.app, admin, 'POST', path)).body).toMatchObject({ cancelled: [], refundedMinor: 0 });

    const all = [...orders, late];
    const { rows } = await h.db.pool.query(`SELECT o.id, o.status, r.status AS refund, r.amount_minor, r.reason,
      (SELECT count(*) FROM refunds r2 WHERE r2.order_id = o.id) AS refunds,
      (SELECT count(*) FROM tickets t WHERE t.order_id = o.id AND t.status = 'live') AS live
      FROM orders o LEFT JOIN refunds r ON r.order_id = o.id WHERE o.event_id = $1`, [sale.eventId]);
    expect(rows).toHaveLength(7);
    for (const r of rows) expect(r).toMatchObject({ status: 'cancelled', refund: 'succeeded', amount_minor: 9000, reason: 'event_cancelled', refunds: 1, live: 0 });
    // one refund per payment at the gateway: every call for a payment carried the same idempotency key
    for (const o of all) expect([...(refundKeys.get(o.pi) ?? [])]).toHaveLength(1);

    const event = await h.db.pool.query(`SELECT e.status, s.status AS sale FROM events e JOIN sales s ON s.event_id = e.id WHERE e.id = $1`, [sale.eventId]);
    expect(event.rows[0]).toEqual({ status: 'cancelled', sale: 'closed' });
    expect(await h.ctx.redis.hget(queueKeys(sale.saleId).settings, 'closed')).toBe('1');
    await expect(h.services.inventory.hold(sale.saleId, 'jti-late', { kind: 'best', tierCode: 'GA', quantity: 1 })).rejects.toMatchObject({ code: 'sale_not_open' });
  });

  it('answers 404 for an unknown event and 400 for a malformed id', async () => {
    expect((await call(h.app, admin, 'POST', '/v1/admin/events/00000000-0000-4000-8000-000000000000/cancel')).status).toBe(404);
    expect((await call(h.app, admin, 'POST', '/v1/admin/events/nope/cancel')).status).toBe(400);
  });
});
