/**
 * Commits that race something outside the fan's control: the organiser cancelling the event, and
 * Redis losing the hold (rebuilt from Postgres) between the claim and the order write. The commit
 * is driven directly (no worker running) so each race can be placed exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../../test/support/checkout-harness.js';
import { orderStatusOf, paymentStatusOf, startPurchase } from '../../../test/support/checkout-flow.js';
import type { UsherSeatInventory } from '../../../inventory/index.js';
import { leaseIsActive } from '../../../admission/pass-lease.js';
import { notificationJobId } from '../notifications/notification-queue.js';
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

  it('a run that dies right after the confirm: the re-run queues the e-mail and ends the lease', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    const died = () => Promise.reject(new Error('worker died after the confirm'));
    const dying = { ...w.deps.notifications, afterCommit: died, afterCommitMany: died };
    await expect(commitHold({ ...w.deps, notifications: dying }, b.holdId, w.ctx.log)).rejects.toThrow('worker died');
    expect(await orderStatusOf(w, b.holdId)).toBe('confirmed');
    expect(await w.deps.notifications.queue.getJob(notificationJobId('confirmation', b.holdId))).toBeUndefined();

    expect(await commitHold(w.deps, b.holdId, w.ctx.log)).toBe('already_confirmed');
    expect(await w.deps.notifications.queue.getJob(notificationJobId('confirmation', b.holdId))).toBeDefined();
    // no reminder job at commit: the reminder sweep finds the order when its event comes near
    expect(await w.deps.notifications.queue.getJob(notificationJobId('reminder', b.holdId))).toBeUndefined();
    expect(await leaseIsActive(w.ctx.redis, w.sale.saleId, b.pass.jti)).toBe(false);
    expect(w.stripe!.count('capture', b.paymentIntentId)).toBe(1);
    // and once more: nothing is added twice
    expect(await commitHold(w.deps, b.holdId, w.ctx.log)).toBe('already_confirmed');
    expect((await w.deps.notifications.queue.getJobs(['waiting', 'delayed'])).filter((j) => 'orderId' in j.data && j.data.orderId === b.holdId)).toHaveLength(1);
  });

  it('sells the seats when Redis is rebuilt between the claim and the order write', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    const inventory = w.deps.inventory as UsherSeatInventory;
    let rebuilt = false;
    // Redis "loses" everything right after the claim: the pools come back from Postgres, which has
    // no order yet, so the hold record is gone and its seats are free.
    const racing: UsherSeatInventory = Object.create(inventory);
    racing.claimMany = async (claims) => {
      const result = await inventory.claimMany(claims);
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
