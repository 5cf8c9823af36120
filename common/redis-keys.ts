/**
 * Every Redis key Usher writes is named here, or built from a root named here: one place to see
 * the namespace, to check two families cannot collide, and to keep the Cluster rule. `{…}` is the
 * hash tag: keys that one script or one MULTI touches together carry the same tag, so they live
 * in one slot (the sale's queue, one inventory shard, one client's counters).
 *
 * The queue's and the inventory's own key sets (admission/queue-keys.ts, inventory/inventory-keys.ts)
 * are built from their roots below; `redis-keys.unit.test.ts` fails on an `usher:` key written
 * anywhere else in product code.
 */
export const REDIS_NAMESPACE = 'usher';

const ns = (rest: string): string => `${REDIS_NAMESPACE}:${rest}`;

export const redisKeys = {
  /** admission/queue-keys.ts: `usher:q:{<sale>}:…`, one slot per sale's queue */
  queueRoot: (saleId: string): string => ns(`q:{${saleId}}`),
  /** holds a pass has released, in its sale's slot (admission/pass-holder.ts, passGate-3.lua) */
  passReleases: (saleId: string, jti: string): string => `${redisKeys.queueRoot(saleId)}:releases:${jti}`,
  /** inventory/inventory-keys.ts: `usher:inv:…`, one slot per shard */
  inventoryRoot: ns('inv'),
  /** the admission-pass keyset every edge re-reads (admission/pass-keyset-store.ts) */
  passKeyset: ns('pass-keyset'),
  /** secrets generated once outside production and shared by the demo's processes */
  devSecret: (name: string): string => ns(`dev-secret:${name}`),
  /** fixed-window request counters of the API per client (checkout/api/rate-limit.ts) */
  rateWindow: (name: string, who: string, window: number): string => ns(`rl:${name}:{${who}}:${window}`),
  /** per-pass request counter, in the sale's slot with the lease it is checked with */
  passRateWindow: (saleId: string, jti: string, window: number): string => ns(`rl:pass:{${saleId}}:${jti}:${window}`),
  /** the edge's per-address abuse counters (queue-edge/abuse-limits.ts) */
  abuseWindow: (action: string, ip: string, window: number): string => ns(`abuse:{${ip}}:${action}:${window}`),
  /** a remembered answer of an Idempotency-Key, per scope (a pass, an account) */
  idempotency: (scope: string, digest: string): string => ns(`idem:{${scope}}:${digest}`),
  /** the demo gateway's PaymentIntents (no money: the demo only) */
  demoPayment: (id: string): string => ns(`demo-pay:{${id}}`),
  /** a PayPal order Usher cancelled: never authorized afterwards, voided if it was (paypal-gateway.ts) */
  paypalCancelled: (orderId: string): string => ns(`paypal-cancelled:{${orderId}}`),
  /** roots of the accounts' counters and lists, each module adding its own suffixes */
  loginFailuresRoot: ns('auth:fail'),
  verificationMailRoot: ns('auth:verify-mail'),
  emailChangeMailRoot: ns('auth:change-mail'),
  accessDenylistRoot: ns('auth:denied'),
  /** a sign-in with the OpenID Connect provider in flight (state → PKCE verifier, nonce), and its one-time hand-off */
  oidcState: (state: string): string => ns(`auth:oidc:state:{${state}}`),
  oidcHandoff: (code: string): string => ns(`auth:oidc:handoff:{${code}}`),
  /**
   * HASH <role>:<host>:<pid> → JSON health figures of one API or worker process, written once a
   * second (admission/backend-health.ts); one hash per deployment, named by its BullMQ prefix
   */
  backendHealth: (scope: string): string => ns(`health:{${scope.replace(/[{}]/g, '')}}`),
  /** one worker at a time runs the reconciler and the periodic audits */
  reconcilerLock: ns('checkout:reconciler-lock'),
} as const;
