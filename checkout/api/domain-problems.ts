/**
 * The one place where domain errors become HTTP problems: inventory, admission pass, account token,
 * payment gateway and checkout errors. Routes throw; the API's error boundary calls `toProblem`.
 */
import { AccessTokenError } from '../../access/access-token.js';
import { PassError, type PassFailure } from '../../admission/admission-pass.js';
import { dependencyBusyReason, overloadedProblem } from '../../common/dependency-busy.js';
import { DEPENDENCY_DOWN_RETRY_AFTER_S, dependencyDownProblem, isDependencyDown } from '../../common/dependency-down.js';
import { Problem } from '../../common/problem.js';
import type { InventoryErrorCode } from '../../inventory/inventory-api.js';
import { GatewayError } from '../payments/payment-gateway.js';
import { CheckoutError, type CheckoutErrorCode } from '../checkout-errors.js';

const inventoryStatus: Record<InventoryErrorCode, number> = {
  sold_out: 409, all_held: 409, not_together: 409, seat_taken: 409, sale_not_open: 409, wrong_state: 409,
  over_limit: 422, bad_quantity: 422, duplicate_seat: 422,
  unknown_sale: 404, unknown_section: 404, unknown_seat: 404, hold_not_found: 404,
  hold_expired: 410,
};

const passStatus: Record<PassFailure, number> = {
  missing: 401, malformed: 401, expired: 401, bad_signature: 401, revoked: 401, revoked_by_operator: 403, wrong_sale: 403, keys_unavailable: 503,
};

const checkoutStatus: Record<CheckoutErrorCode, number> = {
  hold_not_found: 404, hold_not_yours: 403, hold_not_payable: 409, hold_expired: 410,
  payment_not_started: 409, payment_not_authorized: 409, payment_failed: 402, payment_cancelled: 409,
  wrong_gateway: 404, gateway_not_offered: 422, gateway_in_use: 409, order_not_found: 404, order_forbidden: 403, order_not_cancellable: 409,
  order_already_cancelled: 409, refund_cutoff_passed: 409, idempotency_key_reused: 422, idempotency_in_progress: 409,
  webhook_signature: 400, dependency_down: 503,
  promo_code_invalid: 422, points_need_account: 422, points_insufficient: 409, checkout_priced: 409, promo_code_taken: 409, zero_total: 422,
};

function isInventoryError(err: unknown): err is Error & { code: InventoryErrorCode } {
  const e = err as { name?: string; code?: unknown };
  return err instanceof Error && typeof e.code === 'string' && e.code in inventoryStatus && /Inventory/i.test(e.name ?? '');
}

/** Every 503 here is a "retry shortly": it says when (Retry-After), so a client need not guess. */
const retryAfterOf = (status: number): number | undefined => (status === 503 ? DEPENDENCY_DOWN_RETRY_AFTER_S : undefined);
const GATEWAY_RETRY_AFTER_S = 2;

export function toProblem(err: unknown): Problem | undefined {
  if (err instanceof CheckoutError) return new Problem(checkoutStatus[err.code], err.code, err.message, err.extra, retryAfterOf(checkoutStatus[err.code]));
  if (err instanceof PassError) return new Problem(passStatus[err.reason], `pass_${err.reason}`, err.message, {}, retryAfterOf(passStatus[err.reason]));
  if (err instanceof AccessTokenError) return new Problem(401, `token_${err.reason}`, err.message);
  if (isInventoryError(err)) return new Problem(inventoryStatus[err.code], err.code, err.message);
  if (err instanceof GatewayError) {
    return err.transient
      ? new Problem(503, 'payment_provider_unavailable', 'The payment provider did not answer; please retry.', {}, GATEWAY_RETRY_AFTER_S)
      : new Problem(402, err.code, err.message);
  }
  // saturation before outage: a full pool is also "down" to the edge and the worker, but the API sheds it
  const busy = dependencyBusyReason(err);
  if (busy) return overloadedProblem(busy);
  if (isDependencyDown(err)) return dependencyDownProblem();
  return undefined;
}
