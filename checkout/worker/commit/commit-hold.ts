/**
 * Commits paid holds, one or a batch at a time (group commit). Steps, each safe to re-run after a crash at any point:
 *   claim (Redis: the one place where payment and expiry race) → order + tickets + payment in one
 *   Postgres transaction → capture → finalize (Redis: seats SOLD) → order confirmed → lease ended
 *   and the confirmation queued (both idempotent, so a re-run after the order is confirmed
 *   repeats them: a crash right after the confirm loses neither). No reminder job: the worker's
 *   reminder sweep finds the order in Postgres when its event comes near (reminder-sweep.ts).
 * A batch runs each step for all its holds before the next step, so a crash anywhere leaves every
 * hold of it at a step boundary the one-hold path also knows (the batch's order write is one
 * statement: all of its orders are written or none).
 * Postgres round trips per batch: state, orders, confirm (one statement each for the whole batch),
 * then redeem + earn for the batch; Redis: ONE claim and ONE finalize script call per shard for all
 * of the batch's holds on it (each hold answered as alone), one lease ZREM per sale, and ONE
 * confirmation job for the batch, plus the gateway's and BullMQ's own.
 * A hold whose seats are gone gets its PaymentIntent cancelled: never charged without a ticket.
 * Capture comes only after Postgres holds the order: never a charge without a recorded ticket.
 */
import { endLease, endLeases } from '../../../admission/pass-lease.js';
import type { Logger } from '../../../common/logger.js';
import { counter, histogram } from '../../../common/metrics.js';
import type { CheckoutServices } from '../../checkout-services.js';
import { GatewayError, paymentKeys } from '../../payments/payment-gateway.js';
import { advancePayment, commitStatesForHolds, type CommitState, type PaymentRow } from '../../payments/payment-records.js';
import { EventCancelledError, markConfirmed, SeatConflictError, voidUncapturedOrder, type OrderWrite } from '../../orders/order-store.js';
import { markConfirmedMany, writeOrders } from './commit-batch-store.js';
import { InventoryError, type ClaimResult, type ExpectedHold, type PerHold } from '../../../inventory/index.js';

export type CommitOutcome =
  | 'confirmed' | 'already_confirmed' | 'order_cancelled'
  | 'lost_payment_cancelled' | 'seat_conflict_payment_cancelled'
  | 'payment_not_authorized' | 'payment_cancelled' | 'capture_failed_order_voided'
  | 'event_cancelled_payment_cancelled';

const outcomes = counter('usher_commit_outcomes_total', 'commit-order job results', ['outcome']);
const commitSeconds = histogram('usher_commit_seconds', 'One commit attempt: claim to lease ended', [], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** Retried by BullMQ: the payment row is written right after the intent is created. */
export class PaymentRowMissing extends Error {}

export type Settled = PromiseSettledResult<CommitOutcome>;

/** One hold: a batch of one (the same steps and statements as any batch). */
export async function commitHold(deps: CheckoutServices, holdId: string, log: Logger): Promise<CommitOutcome> {
  const settled = (await commitHolds(deps, [holdId], log)).get(holdId)!;
  if (settled.status === 'rejected') throw settled.reason;
  return settled.value;
}

/**
 * A group commit: every step above for several holds at once, each step's Postgres work in one
 * statement for the whole batch (state, order write, confirm) and the Redis and gateway calls of
 * all holds in flight together. Each hold settles on its own: an error (a transient gateway or
 * Postgres failure, a hold whose payment row is not there yet) rejects that hold only, and its job
 * is retried alone; the others go on. A duplicate of a hold in the same batch shares its result.
 */
export async function commitHolds(deps: CheckoutServices, holdIds: string[], log: Logger): Promise<Map<string, Settled>> {
  const ids = [...new Set(holdIds)].sort();
  const results = new Map<string, Settled>();
  const timers = new Map(ids.map((id) => [id, commitSeconds.startTimer()]));
  const settle = (holdId: string, r: Settled): void => {
    if (results.has(holdId)) return;
    results.set(holdId, r);
    timers.get(holdId)?.();
    if (r.status === 'fulfilled') {
      outcomes.inc({ outcome: r.value });
      log.info({ holdId, outcome: r.value }, 'commit finished');
    }
  };
  const done = (holdId: string, value: CommitOutcome) => settle(holdId, { status: 'fulfilled', value });
  const fail = (holdId: string, reason: unknown) => settle(holdId, { status: 'rejected', reason });
  /** Runs one hold's step; a throw settles that hold only. */
  const each = <T>(items: T[], holdOf: (t: T) => string, step: (t: T) => Promise<void>) =>
    Promise.all(items.map(async (t) => {
      try {
        await step(t);
      } catch (err) {
        fail(holdOf(t), err);
      }
    }));

  let states: Map<string, CommitState>;
  try {
    states = await commitStatesForHolds(deps.ctx.pg, ids);
  } catch (err) {
    for (const id of ids) fail(id, err);
    return results;
  }
  const toClaim: { holdId: string; payment: PaymentRow; paymentIntentId: string }[] = [];
  const toWrite: { holdId: string; payment: PaymentRow; write: OrderWrite }[] = [];
  const toCapture: { holdId: string; payment: PaymentRow; eventStartsAt: Date }[] = [];
  await each(ids, (id) => id, async (holdId) => {
    const state = states.get(holdId);
    if (!state) throw new PaymentRowMissing(`no payment recorded for hold ${holdId} yet`);
    const { payment, order } = state;
    if (order?.status === 'cancelled') return done(holdId, 'order_cancelled');
    if (order?.status === 'confirmed') {
      // a re-run (retry, reconciler, duplicate): the steps after the confirm may not have happened
      await afterConfirmed(deps, holdId, payment);
      return done(holdId, 'already_confirmed');
    }
    if (order) return void toCapture.push({ holdId, payment, eventStartsAt: order.eventStartsAt });
    const intent = await intentForClaim(deps, holdId, payment);
    if ('outcome' in intent) return done(holdId, intent.outcome);
    toClaim.push({ holdId, payment, paymentIntentId: intent.paymentIntentId });
  });
  // the batch's claims: one script call per shard
  const claims = await deps.inventory.claimMany(toClaim.map(({ holdId, payment }) => ({ holdId, expected: expectedOf(payment) })));
  await each(toClaim, (t) => t.holdId, async (t) => {
    const claim = claims.get(t.holdId)!;
    if (!claim.ok) throw claim.error;
    const claimed = await orderOfClaim(deps, t, claim.value, log);
    if ('outcome' in claimed) return done(t.holdId, claimed.outcome);
    toWrite.push({ holdId: t.holdId, payment: t.payment, write: claimed.write });
  });

  const written = await writeOrders(deps.ctx.pg, toWrite.map((t) => t.write));
  await each(toWrite, (t) => t.holdId, async ({ holdId, payment }) => {
    const w = written.get(holdId)!;
    if ('eventStartsAt' in w) return void toCapture.push({ holdId, payment, eventStartsAt: w.eventStartsAt });
    done(holdId, await orderRefused(deps, holdId, payment, w.error, log));
  });

  // Capture only now that Postgres has the order; a repeated capture answers "captured".
  const captured: typeof toCapture = [];
  await each(toCapture, (t) => t.holdId, async (c) => {
    const voided = await capture(deps, c.holdId, c.payment, log);
    if (voided) return done(c.holdId, voided);
    captured.push(c);
  });
  // seats SOLD: the batch's finalizes in one script call per shard
  const finalized = await deps.inventory.finalizeMany(captured.map((c) => c.holdId));
  const toConfirm: typeof toCapture = [];
  await each(captured, (c) => c.holdId, async (c) => {
    await finalizeSeats(deps, c.holdId, c.payment, log, finalized.get(c.holdId)!);
    toConfirm.push(c);
  });
  if (toConfirm.length === 0) return results;
  // payments captured + orders confirmed in one statement; a crash before it re-runs capture (idempotent) and finalize
  try {
    if (toConfirm.length === 1) await markConfirmed(deps.ctx.pg, toConfirm[0]!.holdId, toConfirm[0]!.payment.paymentIntentId);
    else await markConfirmedMany(deps.ctx.pg, toConfirm.map((c) => ({ orderId: c.holdId, paymentIntentId: c.payment.paymentIntentId })));
  } catch (err) {
    for (const c of toConfirm) fail(c.holdId, err);
    return results;
  }
  try {
    await afterAllConfirmed(deps, toConfirm);
    for (const c of toConfirm) done(c.holdId, 'confirmed');
  } catch (err) {
    // confirmed but the lease, mails or points may be missing: the retry finds it confirmed and repeats them
    for (const c of toConfirm) fail(c.holdId, err);
  }
  return results;
}

/** Captures; a refusal for good (the authorization is gone) voids the order and frees the seats. */
async function capture(deps: CheckoutServices, holdId: string, payment: PaymentRow, log: Logger): Promise<CommitOutcome | undefined> {
  try {
    await deps.gateways.of(payment.gateway).capture(payment.paymentIntentId, paymentKeys.capture(holdId));
    return undefined;
  } catch (err) {
    if (!(err instanceof GatewayError) || err.transient) throw err;
    // the authorization is gone (expired/cancelled at the provider): the sale did not happen
    log.error({ holdId, code: err.code }, 'capture refused: voiding the order and freeing the seats');
    await voidUncapturedOrder(deps.ctx.pg, holdId, payment.paymentIntentId, `capture_failed:${err.code}`);
    await deps.inventory.unclaim(holdId);
    return 'capture_failed_order_voided';
  }
}

/**
 * The lease ends (a shopper slot frees up) and the e-mails are queued, side by side: both are
 * idempotent (ZREM; job ids derived from the order) and both only after the confirm, since the
 * mail worker sends a confirmation only for a confirmed order.
 */
async function afterConfirmed(deps: CheckoutServices, holdId: string, payment: PaymentRow): Promise<void> {
  await Promise.all([
    endLease(deps.ctx.redis, payment.snapshot.saleId, payment.snapshot.passJti),
    deps.notifications.afterCommit(holdId),
    // the promo use becomes redeemed and the account earns its points: once per order (ledger key)
    deps.pricing.afterConfirmed(holdId),
  ]);
}

/** afterConfirmed for a batch: each step once for all of its holds (one ZREM per sale, one confirmation job, points in one statement). */
async function afterAllConfirmed(deps: CheckoutServices, confirmed: { holdId: string; payment: PaymentRow; eventStartsAt: Date }[]): Promise<void> {
  await Promise.all([
    // one ZREM per sale for all of its passes (a batch is nearly always one sale)
    ...[...passesBySale(confirmed)].map(([saleId, jtis]) => endLeases(deps.ctx.redis, saleId, jtis)),
    deps.notifications.afterCommitMany(confirmed.map((c) => c.holdId)),
    deps.pricing.afterConfirmedMany(confirmed.map((c) => c.holdId)),
  ]);
}

function passesBySale(confirmed: { payment: PaymentRow }[]): Map<string, string[]> {
  const bySale = new Map<string, string[]>();
  for (const { payment: { snapshot } } of confirmed) bySale.set(snapshot.saleId, [...(bySale.get(snapshot.saleId) ?? []), snapshot.passJti]);
  return bySale;
}

/** Checks the intent before the claim. Returns an outcome when the commit ends here (no sale). */
async function intentForClaim(deps: CheckoutServices, holdId: string, payment: PaymentRow): Promise<{ outcome: CommitOutcome } | { paymentIntentId: string }> {
  const pi = await deps.gateways.of(payment.gateway).retrieve(payment.paymentIntentId);
  if (pi.status === 'cancelled') {
    // already cancelled at the provider; a claim from an earlier attempt must not strand the seats
    await noSale(deps, holdId, payment, 'payment_cancelled', { cancelAtProvider: false, unclaim: true, endLease: false });
    return { outcome: 'payment_cancelled' };
  }
  if (pi.status !== 'authorized' && pi.status !== 'captured') return { outcome: 'payment_not_authorized' };
  return { paymentIntentId: pi.id };
}

/** What the payment was for: a lost hold is reacquired only with exactly these seats. */
function expectedOf(payment: PaymentRow): ExpectedHold {
  const snap = payment.snapshot;
  return { items: snap.items, passJti: snap.passJti, amountMinor: snap.amountMinor, currency: snap.currency };
}

/** After the claim: a lost hold is no sale (its payment cancelled), else the order to write. */
async function orderOfClaim(deps: CheckoutServices, t: { holdId: string; payment: PaymentRow; paymentIntentId: string }, claim: ClaimResult, log: Logger): Promise<{ outcome: CommitOutcome } | { write: OrderWrite }> {
  const { holdId, payment, paymentIntentId } = t;
  if (claim.outcome === 'lost') {
    log.warn({ holdId, paymentIntentId }, 'hold lost and its seats sold: cancelling the payment');
    await noSale(deps, holdId, payment, 'hold_lost', { cancelAtProvider: true, unclaim: false, endLease: true });
    return { outcome: 'lost_payment_cancelled' };
  }
  const { hold } = claim;
  return {
    write: {
      orderId: holdId, saleId: payment.snapshot.saleId, email: payment.email, paymentIntentId,
      // the total of the price fixed at checkout (what was authorized), not the seats' sum
      amountMinor: payment.amountMinor, currency: hold.currency, items: hold.items,
    },
  };
}

/** The order write refused this hold: no sale (event cancelled, seat conflict), or the error is rethrown (retried). */
async function orderRefused(deps: CheckoutServices, holdId: string, payment: PaymentRow, err: unknown, log: Logger): Promise<CommitOutcome> {
  if (err instanceof EventCancelledError) {
    log.warn({ holdId }, 'event cancelled before the order was written: cancelling the payment');
    await noSale(deps, holdId, payment, 'event_cancelled', { cancelAtProvider: true, unclaim: true, endLease: true });
    return 'event_cancelled_payment_cancelled';
  }
  if (!(err instanceof SeatConflictError)) throw err;
  // Redis and Postgres disagree about a seat: Postgres is the record. Refuse the sale, keep the
  // claim for the audit to explain, and never take the money.
  log.error({ holdId }, 'seat already has a live ticket in Postgres: cancelling the payment');
  await noSale(deps, holdId, payment, 'seat_conflict', { cancelAtProvider: true, unclaim: false, endLease: false });
  return 'seat_conflict_payment_cancelled';
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
 * `first` is what the batch's finalize answered for this hold.
 */
async function finalizeSeats(deps: CheckoutServices, holdId: string, payment: PaymentRow, log: Logger, first: PerHold<void>): Promise<void> {
  if (first.ok) return;
  const err = first.error;
  if (!(err instanceof InventoryError) || err.code !== 'hold_not_found') throw err;
  const claim = await deps.inventory.claim(holdId, expectedOf(payment));
  if (claim.outcome === 'lost') {
    log.error({ holdId }, 'hold lost from Redis after its order was written and its seats are held by another: left for the audit');
    return;
  }
  await deps.inventory.finalize(holdId);
}
