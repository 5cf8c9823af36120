/** The reconciler on payments nobody told us about: authorized ones get committed, unpaid ones wait, then are cancelled. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../../test/support/checkout-harness.js';
import { paymentStatusOf, startPurchase } from '../../../test/support/checkout-flow.js';
import { commitJobId } from './commit-queue.js';
import { reconcile } from './reconciler.js';

let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'stripe' });
});
afterAll(() => w.close());

const age = (holdId: string, seconds: number) =>
  w.ctx.pg.query(`UPDATE payments SET created_at = now() - make_interval(secs => $2), updated_at = now() - make_interval(secs => $2) WHERE hold_id = $1`, [holdId, seconds]);
const opts = { staleAfterMs: 120_000, abandonAfterMs: 3_600_000 };

describe('reconciler', () => {
  it('commits a payment authorized at the gateway whose webhook never came, after the claim timeout, not after an hour', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    await age(b.holdId, 60);
    expect((await reconcile(w.deps, w.ctx.log, opts)).recommitted).not.toContain(b.holdId);
    await age(b.holdId, 300);
    expect((await reconcile(w.deps, w.ctx.log, opts)).recommitted).toContain(b.holdId);
    expect(await w.deps.commits.queue.getJob(commitJobId(b.holdId))).toBeDefined();
  });

  it('leaves an unpaid payment alone while the fan may still pay, and cancels it once abandoned', async () => {
    const b = await startPurchase(w);
    await age(b.holdId, 300);
    const early = await reconcile(w.deps, w.ctx.log, opts);
    expect(early.abandoned).not.toContain(b.holdId);
    expect((await paymentStatusOf(w, b.holdId))?.status).toBe('requires_payment');
    await age(b.holdId, 7200);
    expect((await reconcile(w.deps, w.ctx.log, opts)).abandoned).toContain(b.holdId);
    expect((await paymentStatusOf(w, b.holdId))?.status).toBe('cancelled');
    expect(w.stripe!.intents.get(b.paymentIntentId)?.status).toBe('canceled');
  });
});
