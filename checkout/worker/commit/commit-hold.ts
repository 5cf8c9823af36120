/**
 * Commits one paid hold. Steps, each safe to re-run after a crash at any point:
 *   claim (Redis: the one place where payment and expiry race) → order + tickets + payment in one
 *   Postgres transaction → capture → finalize (Redis: seats SOLD) → order confirmed → lease ended
 *   and confirmation + reminder queued (both idempotent, so a re-run after the order is confirmed
 *   repeats them: a crash right after the confirm loses neither).
 * Round trips per order: Postgres 4 (state, order, confirm, then redeem + earn in one statement); Redis claim, finalize, then the lease
 * and both e-mail jobs in flight together, plus the gateway's and BullMQ's own.
 * A hold whose seats are gone gets its PaymentIntent cancelled: never charged without a ticket.
 * Capture comes only after Postgres holds the order: never a charge without a recorded ticket.
 */
import { endLease } from '../../../admission/pass-lease.js';
import type { Logger } from '../../../common/logger.js';
import { counter, histogram } from '../../../common/metrics.js';
import type { CheckoutServices } from '../../checkout-services.js';
import { GatewayError, paymentKeys } from '../../payments/payment-gateway.js';
import { advancePayment, commitStateForHold, type PaymentRow } from '../../payments/payment-records.js';
import { EventCancelledError, markConfirmed, SeatConflictError, voidUncapturedOrder, writeOrder } from '../../orders/order-store.js';
import { InventoryError } from '../../../inventory/index.js';

export type CommitOutcome =
  | 'confirmed' | 'already_confirmed' | 'order_cancelled'
  | 'lost_payment_cancelled' | 'seat_conflict_payment_cancelled'
  | 'payment_not_authorized' | 'payment_cancelled' | 'capture_failed_order_voided'
  | 'event_cancelled_payment_cancelled';

const outcomes = counter('usher_commit_outcomes_total', 'commit-order job results', ['outcome']);
const commitSeconds = histogram('usher_commit_seconds', 'One commit attempt: claim to lease ended', [], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** Retried by BullMQ: the payment row is written right after the intent is created. */
export class PaymentRowMissing extends Error {}

export async function commitHold(deps: CheckoutServices, holdId: string, log: Logger): Promise<CommitOutcome> {
  const timer = commitSeconds.startTimer();
  const outcome = await run(deps, holdId, log).finally(timer);
  outcomes.inc({ outcome });
  log.info({ holdId, outcome }, 'commit finished');
  return outcome;
}

async function run(deps: CheckoutServices, holdId: string, log: Logger): Promise<CommitOutcome> {
  const { ctx, inventory } = deps;
  const state = await commitStateForHold(ctx.pg, holdId);
  if (!state) throw new PaymentRowMissing(`no payment recorded for hold ${holdId} yet`);
  const { payment, order } = state;
  const gateway = deps.gateways.of(payment.gateway);
  if (order?.status === 'cancelled') return 'order_cancelled';
  if (order?.status === 'confirmed') {
    // a re-run (retry, reconciler, duplicate): the steps after the confirm may not have happened
    await afterConfirmed(deps, holdId, payment, order.eventStartsAt);
    return 'already_confirmed';
  }

  let eventStartsAt = order?.eventStartsAt;
  if (!order) {
    const written = await beforeOrder(deps, holdId, payment, log);
    if ('outcome' in written) return written.outcome;
    eventStartsAt = written.eventStartsAt;
  }
  // Capture only now that Postgres has the order; a repeated capture answers "captured".
  try {
    await gateway.capture(payment.paymentIntentId, paymentKeys.capture(holdId));
  } catch (err) {
    if (err instanceof GatewayError && !err.transient) {
      // the authorization is gone (expired/cancelled at the provider): the sale did not happen
      log.error({ holdId, code: err.code }, 'capture refused: voiding the order and freeing the seats');
      await voidUncapturedOrder(ctx.pg, holdId, payment.paymentIntentId, `capture_failed:${err.code}`);
      await inventory.unclaim(holdId);
      return 'capture_failed_order_voided';
    }
    throw err;
  }
  await finalizeSeats(deps, holdId, payment, log);
  // payment captured + order confirmed in one statement; a crash before it re-runs capture (idempotent) and finalize
  await markConfirmed(ctx.pg, holdId, payment.paymentIntentId);
  await afterConfirmed(deps, holdId, payment, eventStartsAt);
  return 'confirmed';
}

/**
 * The lease ends (a shopper slot frees up) and the e-mails are queued, side by side: both are
 * idempotent (ZREM; job ids derived from the order) and both only after the confirm, since the
 * mail worker sends a confirmation only for a confirmed order.
 */
async function afterConfirmed(deps: CheckoutServices, holdId: string, payment: PaymentRow, eventStartsAt: Date | undefined): Promise<void> {
  await Promise.all([
    endLease(deps.ctx.redis, payment.snapshot.saleId, payment.snapshot.passJti),
    eventStartsAt ? deps.notifications.afterCommit(holdId, eventStartsAt) : undefined,
    // the promo use becomes redeemed and the account earns its points: once per order (ledger key)
    deps.pricing.afterConfirmed(holdId),
  ]);
}

/** Claim and write the order. Returns an outcome when the commit ends here (no sale), else when the event starts. */
async function beforeOrder(deps: CheckoutServices, holdId: string, payment: PaymentRow, log: Logger): Promise<{ outcome: CommitOutcome } | { eventStartsAt: Date }> {
  const { ctx, inventory } = deps;
  const pi = await deps.gateways.of(payment.gateway).retrieve(payment.paymentIntentId);
  if (pi.status === 'cancelled') {
    // already cancelled at the provider; a claim from an earlier attempt must not strand the seats
    await noSale(deps, holdId, payment, 'payment_cancelled', { cancelAtProvider: false, unclaim: true, endLease: false });
    return { outcome: 'payment_cancelled' };
  }
  if (pi.status !== 'authorized' && pi.status !== 'captured') return { outcome: 'payment_not_authorized' };

  const snap = payment.snapshot;
  const claim = await inventory.claim(holdId, { items: snap.items, passJti: snap.passJti, amountMinor: snap.amountMinor, currency: snap.currency });
  if (claim.outcome === 'lost') {
    log.warn({ holdId, paymentIntentId: pi.id }, 'hold lost and its seats sold: cancelling the payment');
    await noSale(deps, holdId, payment, 'hold_lost', { cancelAtProvider: true, unclaim: false, endLease: true });
    return { outcome: 'lost_payment_cancelled' };
  }
  const hold = claim.hold;
  try {
    const written = await writeOrder(ctx.pg, {
      orderId: holdId, saleId: snap.saleId, email: payment.email, paymentIntentId: pi.id,
      // the total of the price fixed at checkout (what was authorized), not the seats' sum
      amountMinor: payment.amountMinor, currency: hold.currency, items: hold.items,
    });
    return { eventStartsAt: written.eventStartsAt };
  } catch (err) {
    if (err instanceof EventCancelledError) {
      log.warn({ holdId }, 'event cancelled before the order was written: cancelling the payment');
      await noSale(deps, holdId, payment, 'event_cancelled', { cancelAtProvider: true, unclaim: true, endLease: true });
      return { outcome: 'event_cancelled_payment_cancelled' };
    }
    if (!(err instanceof SeatConflictError)) throw err;
    // Redis and Postgres disagree about a seat: Postgres is the record. Refuse the sale, keep the
    // claim for the audit to explain, and never take the money.
    log.error({ holdId }, 'seat already has a live ticket in Postgres: cancelling the payment');
    await noSale(deps, holdId, payment, 'seat_conflict', { cancelAtProvider: true, unclaim: false, endLease: false });
    return { outcome: 'seat_conflict_payment_cancelled' };
  }
}

interface NoSaleSteps {
  /** void the authorization (false when the provider already cancelled it) */
  cancelAtProvider: boolean;
  /** return the claimed seats to the pool */
  unclaim: boolean;
  /** end the pass's lease so the shopper slot goes to the next fan */
  endLease: boolean;
}

/**
 * The sale does not happen: the money is never taken (the authorization is voided before the record
 * says cancelled, so a crash in between re-runs the idempotent cancel), then the seats and the
 * shopper slot follow what the caller knows about them. Every step is safe to repeat.
 */
async function noSale(deps: CheckoutServices, holdId: string, payment: PaymentRow, reason: string, steps: NoSaleSteps): Promise<void> {
  const { ctx, inventory } = deps;
  if (steps.cancelAtProvider) await deps.gateways.of(payment.gateway).cancel(payment.paymentIntentId, paymentKeys.cancel(holdId));
  await advancePayment(ctx.pg, payment.paymentIntentId, 'cancelled', reason);
  if (steps.unclaim) await inventory.unclaim(holdId);
  if (steps.endLease) await endLease(ctx.redis, payment.snapshot.saleId, payment.snapshot.passJti);
}

/**
 * Seats become SOLD. If Redis lost the hold after the order was written (a rebuild from Postgres
 * between claim and commit), the hold is claimed again from the payment's snapshot first; Postgres
 * already holds the live tickets, so a seat someone else holds meanwhile cannot be sold to them
 * (their commit meets the unique live-seat index) and is left for the audit to report.
 */
async function finalizeSeats(deps: CheckoutServices, holdId: string, payment: PaymentRow, log: Logger): Promise<void> {
  try {
    await deps.inventory.finalize(holdId);
    return;
  } catch (err) {
    if (!(err instanceof InventoryError) || err.code !== 'hold_not_found') throw err;
  }
  const snap = payment.snapshot;
  const claim = await deps.inventory.claim(holdId, { items: snap.items, passJti: snap.passJti, amountMinor: snap.amountMinor, currency: snap.currency });
  if (claim.outcome === 'lost') {
    log.error({ holdId }, 'hold lost from Redis after its order was written and its seats are held by another: left for the audit');
    return;
  }
  await deps.inventory.finalize(holdId);
}
