/**
 * The services of the API and worker roles, built once per process by its composition root
 * (`scripts/start.ts`) and handed down to every route and worker. Nothing below builds a second
 * inventory, gateway, queue or token signer: a second instance of a service with a cache (the
 * inventory's layout cache, the pass verifier's) would miss the other's invalidations. Tests build
 * one with overrides (a local JWKS, a stand-in gateway) instead of reaching into modules.
 */
import type { AppContext } from '../common/app-context.js';
import { sharedDevSecret } from '../common/dev-secrets.js';
import { accessTokens, type AccessTokens } from '../access/access-token.js';
import { createAccessDenylist, type AccessDenylist } from '../access/access-denylist.js';
import { accountRoles, type AccountRoles } from '../access/account-roles.js';
import { passVerifier, type PassVerifier } from '../admission/admission-pass.js';
import { healthPublisher, type HealthPublisher } from '../admission/backend-health.js';
import type { SeatInventory } from '../inventory/inventory-api.js';
import { createSeatInventory } from '../inventory/index.js';
import { cachedPassVerifier } from './api/pass-verifier-cache.js';
import { emailVerificationTokens, type EmailVerificationTokens } from './accounts/email-verification-token.js';
import { orderTokens, type OrderTokens } from './orders/order-token.js';
import { createPaymentGateways, type PaymentGateways } from './payments/gateway-factory.js';
import { saleGateways, type SaleGateways } from './payments/sale-gateways.js';
import { createCheckoutPricing, type CheckoutPricing } from './pricing/checkout-pricing.js';
import { createCommitQueue, type CommitQueue } from './worker/commit/commit-queue.js';
import { createNotificationQueue, type NotificationQueue } from './worker/notifications/notification-queue.js';
import { createVerificationMailQueue, type VerificationMailQueue } from './worker/notifications/verification-mail.js';
import { createAccountMailQueue, type AccountMailQueue } from './worker/notifications/account-mail.js';

export interface CheckoutServices {
  ctx: AppContext;
  inventory: SeatInventory;
  /** Every configured gateway; a payment is driven by the one named in its row. */
  gateways: PaymentGateways;
  /** What each sale offers of `gateways` (sales.payment_gateways), briefly cached. */
  saleGateways: SaleGateways;
  /** Admission passes, checked against the edge's JWKS. */
  verifier: PassVerifier;
  commits: CommitQueue;
  notifications: NotificationQueue;
  verificationMail: VerificationMailQueue;
  /** The change-of-address and password-reset e-mails. */
  accountMail: AccountMailQueue;
  orderTokens: OrderTokens;
  accessTokens: AccessTokens;
  /** Logged-out access tokens. */
  denylist: AccessDenylist;
  /** Accounts' current roles, briefly cached: what admin and user routes trust, not the token's claim. */
  accountRoles: AccountRoles;
  emailVerificationTokens: EmailVerificationTokens;
  /** Links confirming a new address (a change of e-mail). */
  emailChangeTokens: EmailVerificationTokens;
  /** This process's health figures for admission, written to Redis once a second (API and worker add theirs). */
  health: HealthPublisher;
  /** Fees, taxes, promo codes and points: the price a hold is sold at (checkout/pricing/). */
  pricing: CheckoutPricing;
  close(): Promise<void>;
}

type Overridable = Omit<CheckoutServices, 'ctx' | 'close'>;

export async function createCheckoutServices(ctx: AppContext, overrides: Partial<Overridable> = {}): Promise<CheckoutServices> {
  const { config, redis, log } = ctx;
  const prefix = config.worker.bullmqPrefix;
  // one secret, three single-purpose keys derived from it (access, order and verification tokens)
  const authSecret = config.secrets.authJwtSecret ?? (await sharedDevSecret(redis, 'auth-jwt', undefined, log));
  const commits = overrides.commits ?? createCommitQueue(redis, prefix);
  const notifications = overrides.notifications ?? createNotificationQueue(redis, prefix);
  const verificationMail = overrides.verificationMail ?? createVerificationMailQueue(redis, prefix);
  const accountMail = overrides.accountMail ?? createAccountMailQueue(redis, prefix);
  const health = overrides.health ?? healthPublisher(redis, config, log);
  const gateways = overrides.gateways ?? createPaymentGateways(config, redis, log);
  return {
    ctx,
    inventory: overrides.inventory ?? createSeatInventory({ redis, pg: ctx.pg, log, claimTimeoutS: config.worker.claimTimeoutS, sweepBatch: config.worker.sweepBatch }),
    gateways,
    saleGateways: overrides.saleGateways ?? saleGateways(ctx.pg, gateways),
    verifier: cachedPassVerifier(
      overrides.verifier ?? passVerifier({ jwksUrl: config.pass.jwksUrl, maxAgeMs: config.pass.jwksMaxAgeS * 1000 }),
      { reverifyAfterMs: config.pass.jwksMaxAgeS * 1000 },
    ),
    commits,
    notifications,
    verificationMail,
    accountMail,
    orderTokens: overrides.orderTokens ?? orderTokens(authSecret),
    accessTokens: overrides.accessTokens ?? accessTokens(authSecret),
    denylist: overrides.denylist ?? createAccessDenylist(redis),
    accountRoles: overrides.accountRoles ?? accountRoles(ctx.pg),
    emailVerificationTokens: overrides.emailVerificationTokens ?? emailVerificationTokens(authSecret),
    emailChangeTokens: overrides.emailChangeTokens ?? emailVerificationTokens(authSecret, 'change'),
    health,
    pricing: overrides.pricing ?? createCheckoutPricing(ctx.pg, { loyaltyEarnBps: config.commerce.loyaltyEarnBps }),
    async close() {
      health.close();
      if (!overrides.commits) await commits.close();
      if (!overrides.notifications) await notifications.close();
      if (!overrides.verificationMail) await verificationMail.close();
      if (!overrides.accountMail) await accountMail.close();
    },
  };
}
