/**
 * Drives anything stuck between steps to a final state: CLAIMED holds the sweeper reports as stale,
 * payments authorized without a confirmed order, orders committed but not confirmed, checkouts
 * abandoned with an open PaymentIntent, refunds still pending. Every action is one of the
 * idempotent paths the normal flow uses (a commit job, a cancel with the hold's key, a refund with
 * the order's key), so running it twice or next to a live job is harmless.
 */
import type { Logger } from '../../../common/logger.js';
import { counter } from '../../../common/metrics.js';
import type { CheckoutServices } from '../../checkout-services.js';
import { completeRefund } from '../../orders/order-cancellation.js';
import { paymentKeys, type GatewayName } from '../../payments/payment-gateway.js';
import { advancePayment } from '../../payments/payment-records.js';
import { commitIfAuthorized } from './commit-trigger.js';

const actions = counter('usher_reconciler_actions_total', 'what the reconciler drove forward', ['kind']);

export interface ReconcileReport {
  recommitted: string[];
  abandoned: string[];
  refundsRetried: string[];
}

export interface ReconcileOptions {
  /** Anything untouched this long is considered stuck. */
  staleAfterMs: number;
  /** A checkout never paid for this long: cancel its PaymentIntent. */
  abandonAfterMs: number;
  nowMs?: number;
}

export async function reconcile(deps: CheckoutServices, log: Logger, opts: ReconcileOptions, staleClaims: string[] = []): Promise<ReconcileReport> {
  const { pg } = deps.ctx;
  const now = opts.nowMs ?? Date.now();
  const staleBefore = new Date(now - opts.staleAfterMs);
  // a fresh job id per stale period: the original job may have completed or failed for good
  const suffix = `r${Math.floor(now / opts.staleAfterMs)}`;
  const report: ReconcileReport = { recommitted: [], abandoned: [], refundsRetried: [] };

  const stuck = await pg.query<{ hold_id: string }>(
    `SELECT p.hold_id FROM payments p LEFT JOIN orders o ON o.id = p.hold_id
     WHERE p.status IN ('authorized', 'captured') AND p.updated_at < $1 AND (o.id IS NULL OR o.status = 'committed')
     UNION SELECT o.id FROM orders o WHERE o.status = 'committed' AND o.updated_at < $1
     LIMIT 500`,
    [staleBefore],
  );
  for (const holdId of new Set([...stuck.rows.map((r) => r.hold_id), ...staleClaims])) {
    await deps.commits.enqueue(holdId, { jobIdSuffix: suffix });
    report.recommitted.push(holdId);
  }

  // Payments the fan may have authorized without the webhook or the confirm call reaching us
  // (a timeout after the gateway said yes): look at the gateway once the claim timeout has passed,
  // commit what is authorized, and cancel only what is still unpaid after abandonAfterMs.
  const open = await pg.query<{ payment_intent_id: string; hold_id: string; gateway: GatewayName; abandoned: boolean }>(
    `SELECT payment_intent_id, hold_id, gateway, created_at < $2 AS abandoned FROM payments
     WHERE status = 'requires_payment' AND created_at < $1 ORDER BY created_at LIMIT 200`,
    [staleBefore, new Date(now - opts.abandonAfterMs)],
  );
  for (const row of open.rows) {
    const gateway = deps.gateways.of(row.gateway);
    const pi = await gateway.retrieve(row.payment_intent_id);
    if ((await commitIfAuthorized(deps, pi)) === 'enqueued') {
      report.recommitted.push(row.hold_id);
      continue;
    }
    if (!row.abandoned) continue;
    if (pi.status !== 'cancelled') await gateway.cancel(pi.id, paymentKeys.cancel(row.hold_id));
    await advancePayment(pg, pi.id, 'cancelled', 'abandoned');
    report.abandoned.push(row.hold_id);
  }

  // Checkouts that priced a hold (took a promo use, spent points) and never recorded a payment
  // (the gateway failed, the fan left): give back what they took. The hold is long gone by now.
  const unpaid = await pg.query<{ hold_id: string }>(
    `SELECT hp.hold_id, commerce_give_back(hp.hold_id) FROM hold_prices hp
     WHERE hp.created_at < $1 AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.hold_id = hp.hold_id)
       AND (EXISTS (SELECT 1 FROM promo_redemptions r WHERE r.hold_id = hp.hold_id AND r.status <> 'released')
            OR EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.hold_id = hp.hold_id AND l.kind = 'spend'
                       AND NOT EXISTS (SELECT 1 FROM loyalty_ledger x WHERE x.hold_id = hp.hold_id AND x.kind = 'spend_returned')))
     LIMIT 200`,
    [new Date(now - opts.abandonAfterMs)],
  );
  report.abandoned.push(...unpaid.rows.map((r) => r.hold_id));

  const refunds = await pg.query<{ order_id: string }>(`SELECT order_id FROM refunds WHERE status = 'pending' AND updated_at < $1 LIMIT 200`, [staleBefore]);
  for (const r of refunds.rows) {
    await completeRefund({ pg, gateways: deps.gateways, log }, r.order_id);
    report.refundsRetried.push(r.order_id);
  }
  actions.inc({ kind: 'recommit' }, report.recommitted.length);
  actions.inc({ kind: 'abandon' }, report.abandoned.length);
  actions.inc({ kind: 'refund' }, report.refundsRetried.length);
  if (report.recommitted.length + report.abandoned.length + report.refundsRetried.length > 0) log.info(report, 'reconciled');
  return report;
}
