/**
 * Commits that race something outside the fan's control: the organiser cancelling the event, and
 * Redis losing the hold (rebuilt from Postgres) between the claim and the order write. The commit
 * is driven directly (no worker running) so each race can be placed exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { orderStatusOf, paymentStatusOf, startPurchase } from '../../test/support/checkout-flow.js';
import type { UsherSeatInventory } from '../../inventory/index.js';
import { commitHold } from './commit-hold.js';

let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'stripe' });
});
afterAll(() => w.close());

describe('commit races', () => {
  it('cancels the payment when the event was cancelled before the order was written', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    await w.ctx.pg.query(`UPDATE events SET status = 'cancelled' WHERE id = (SELECT event_id FROM sales WHERE id = $1)`, [w.sale.saleId]);
    try {
      expect(await commitHold(w.deps, b.holdId, w.ctx.log)).toBe('event_cancelled_payment_cancelled');
      expect(await orderStatusOf(w, b.holdId)).toBeUndefined();
      expect(w.stripe!.intents.get(b.paymentIntentId)?.status).toBe('canceled');
      expect(w.stripe!.count('capture', b.paymentIntentId)).toBe(0);
      expect((await paymentStatusOf(w, b.holdId))?.failure_reason).toBe('event_cancelled');
      // the seats are not stranded in CLAIMED
      expect((await w.deps.inventory.getHold(b.holdId))?.state).not.toBe('CLAIMED');
    } finally {
      await w.ctx.pg.query(`UPDATE events SET status = 'published' WHERE id = (SELECT event_id FROM sales WHERE id = $1)`, [w.sale.saleId]);
    }
  });

  it('sells the seats when Redis is rebuilt between the claim and the order write', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    const inventory = w.deps.inventory as UsherSeatInventory;
    let rebuilt = false;
    // Redis "loses" everything right after the claim: the pools come back from Postgres, which has
    // no order yet, so the hold record is gone and its seats are free.
    const racing: UsherSeatInventory = Object.create(inventory);
    racing.claim = async (holdId, expected) => {
      const result = await inventory.claim(holdId, expected);
      if (!rebuilt) {
        rebuilt = true;
        await inventory.rebuild(w.sale.saleId);
      }
      return result;
    };
    expect(await commitHold({ ...w.deps, inventory: racing }, b.holdId, w.ctx.log)).toBe('confirmed');
    expect(rebuilt).toBe(true);
    expect(await orderStatusOf(w, b.holdId)).toBe('confirmed');
    expect((await inventory.getHold(b.holdId))?.state).toBe('SOLD');
    expect(w.stripe!.count('capture', b.paymentIntentId)).toBe(1);
    const audit = await inventory.audit(w.sale.saleId);
    expect(audit.violations).toEqual([]);
  });
});
