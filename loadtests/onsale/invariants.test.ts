/**
 * The end-of-run checks must see what they are for: a clean sale passes; a captured payment with
 * no order, a completed payment the API never recorded, and one seat in two fans' orders each
 * count, so the harness exits non-zero.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { createDemoGateway } from '../../checkout/payments/demo-gateway.js';
import { recordPaymentIntent } from '../../checkout/payments/payment-records.js';
import { checkInvariants } from './invariants.js';

let world: CheckoutWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('checkInvariants', () => {
  it('passes a clean sale and agrees with the audit', async () => {
    world = await checkoutWorld({ gateway: 'demo' });
    const r = await checkInvariants(world.db.pool, world.ctx.redis, world.sale, { orders: [], paid: [] });
    expect(r).toMatchObject({ oversold: 0, double_sold: 0, lost_paid_holds: 0, charged_without_ticket: 0, sold_matches_tickets: true, problems: [] });
  });

  it('counts a charge without a ticket, a lost paid hold and a seat in two orders', async () => {
    world = await checkoutWorld({ gateway: 'demo' });
    const { saleId } = world.sale;
    const gateway = createDemoGateway(world.ctx.redis);
    const holdId = 'hold-without-order-0001';
    const pi = await gateway.authorize({ holdId, saleId, amountMinor: 4500, currency: 'EUR', email: 'a@b.test', description: 't', idempotencyKey: `t:${holdId}` });
    await gateway.simulateAuthorization(pi.id);
    await gateway.capture(pi.id, `cap:${holdId}`);
    await recordPaymentIntent(world.db.pool, {
      paymentIntentId: pi.id, holdId, gateway: 'demo', email: 'a@b.test',
      snapshot: { saleId, passJti: 'jti', items: [], amountMinor: 4500, currency: 'EUR' },
    });
    const r = await checkInvariants(world.db.pool, world.ctx.redis, world.sale, {
      orders: [{ holdId: 'h1', seatIds: [7], gaPlaces: 0 }, { holdId: 'h2', seatIds: [7], gaPlaces: 0 }],
      paid: [holdId, 'paid-but-never-recorded'],
    });
    expect(r.charged_without_ticket).toBe(1);
    expect(r.lost_paid_holds).toBe(2);
    expect(r.double_sold).toBe(1);
    expect(r.problems.length).toBeGreaterThanOrEqual(3);
  });
});
