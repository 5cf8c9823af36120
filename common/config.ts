/**
 * The one typed configuration of every role, parsed once from the environment.
 *
 * Each variable is declared once in `variables` (name, schema, default, description); the README's
 * config table and the Kubernetes manifest check are generated from the same list, so a variable
 * cannot exist in one place and not the other.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = z.string().url();
const optionalString = z.string().min(1).optional();
const csv = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

interface Variable {
  schema: z.ZodType;
  default?: string;
  secret?: boolean;
  doc: string;
}

export const variables = {
  NODE_ENV: { schema: z.enum(['development', 'test', 'production']), default: 'development', doc: 'production makes every secret mandatory' },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'pino log level' },
  REDIS_URL: { schema: url, default: 'redis://127.0.0.1:6379', doc: 'Redis for queues, inventory and jobs (ignored when REDIS_CLUSTER_NODES is set)' },
  REDIS_PASSWORD: { schema: optionalString, secret: true, doc: 'Redis AUTH password (standalone and cluster; overrides one in REDIS_URL)' },
  REDIS_CLUSTER_NODES: { schema: csv.optional(), doc: 'comma-separated host:port seeds of a Redis Cluster; switches every role to the cluster client' },
  DATABASE_URL: { schema: url, default: 'postgres://postgres@127.0.0.1:5432/usher', secret: true, doc: 'Postgres primary' },
  DATABASE_REPLICA_URL: { schema: url.optional(), secret: true, doc: 'optional read replica for the catalog' },
  PG_POOL_MAX: { schema: positiveInt, default: '10', doc: 'Postgres connections per process' },
  PG_POOL_ACQUIRE_TIMEOUT_MS: { schema: positiveInt, default: '5000', doc: 'longest wait for a free Postgres connection of the pool; past it the API sheds the request: 503 overloaded with Retry-After' },
  HOST: { schema: z.string().min(1), default: '0.0.0.0', doc: 'interface every role listens on' },
  API_PORT: { schema: port, default: '8080', doc: 'HTTP API (checkout, catalog, admin, dashboard)' },
  EDGE_PORT: { schema: port, default: '9001', doc: 'WebSocket edge and waiting-room page' },
  // The metrics ports are internal (never routed publicly, k8s/README.md says how Prometheus
  // reaches them) and distinct, so `start all` runs every role in one process; 9100 is left to node_exporter.
  API_METRICS_PORT: { schema: port, default: '9103', doc: 'API /metrics (internal; with API_PROCESSES, the sum of every process)' },
  EDGE_METRICS_PORT: { schema: port, default: '9101', doc: 'edge /metrics (internal; with EDGE_PROCESSES, the sum of every process)' },
  WORKER_PORT: { schema: port, default: '9102', doc: 'worker /livez, /readyz and /metrics (internal: the worker serves nothing public)' },
  PUBLIC_API_URL: { schema: url, default: 'http://127.0.0.1:8080', doc: 'API address as fans reach it (links in pages and e-mails)' },
  PUBLIC_EDGE_URL: { schema: url, default: 'http://127.0.0.1:9001', doc: 'edge address as fans reach it' },
  API_KEEP_ALIVE_TIMEOUT_S: { schema: positiveInt, default: '65', doc: 'how long the API keeps an idle keep-alive connection open: longer than the idle timeout of the load balancer or proxy in front (60 s on most), so that side closes first and never sends a request on a socket the API is closing (Node\'s 5 s default reset such requests under load)' },
  API_PROCESSES: { schema: positiveInt, default: '1', doc: 'API processes sharing API_PORT through node:cluster (for one big host; in Kubernetes scale pods instead)' },
  EDGE_PROCESSES: { schema: positiveInt, default: '1', doc: 'edge processes sharing EDGE_PORT (one per core in production)' },
  EDGE_TICK_MS: { schema: positiveInt, default: '1000', doc: 'admission tick and position broadcast period' },
  EDGE_MAX_PAYLOAD_BYTES: { schema: positiveInt, default: '4096', doc: 'largest WebSocket message accepted' },
  EDGE_BODY_LIMIT_BYTES: { schema: positiveInt, default: '4096', doc: 'largest HTTP request body the edge reads (visitors, join, take, controls); larger is 413, by Content-Length or as a chunked body grows' },
  EDGE_IDLE_TIMEOUT_S: { schema: positiveInt, default: '120', doc: 'WebSocket idle timeout' },
  EDGE_MAX_BACKPRESSURE_BYTES: { schema: positiveInt, default: '65536', doc: 'per-socket send buffer before a slow fan is dropped' },
  EDGE_ALLOWED_ORIGINS: { schema: csv.optional(), doc: 'comma-separated Origin values allowed to open a socket (unset: any)' },
  EDGE_CONNECTS_PER_IP_PER_MIN: { schema: positiveInt, default: '120', doc: 'WebSocket upgrades one client address may open per minute, counted in Redis across edges' },
  EDGE_JOINS_PER_IP_PER_MIN: { schema: positiveInt, default: '60', doc: 'queue joins one client address may make per minute, counted in Redis across edges' },
  QUEUE_RECONNECT_GRACE_S: { schema: positiveInt, default: '60', doc: 'how long a disconnected fan keeps their place' },
  QUEUE_OFFER_TTL_S: { schema: positiveInt, default: '30', doc: 'how long an admission offer waits to be taken' },
  DRAW_BEACON_URL: { schema: z.union([z.enum(['auto', 'none']), url]), default: 'auto', doc: 'drand chain whose round after the pre-queue closes seeds the opening draw (queue-edge/README.md); auto: drand quicknet in production, none elsewhere' },
  DRAW_BEACON_DELAY_S: { schema: nonNegativeInt, default: '5', doc: 'the draw uses the first beacon round at least this long after the pre-queue closes' },
  DRAW_BEACON_TIMEOUT_S: { schema: positiveInt, default: '60', doc: 'past its round time this long without the beacon, the draw falls back to the edge\'s own randomness (and says so)' },
  PASS_TTL_S: { schema: positiveInt, default: '600', doc: 'shopping window of an admission pass' },
  PASS_SIGNING_JWKS: { schema: optionalString, secret: true, doc: 'JSON private JWK set (ES256) that seeds the admission-pass keyset in Redis when it is empty (first key signs, others stay published); rotate with `npm run pass-keys -- rotate`. generated once outside production' },
  PASS_KEYS_REFRESH_S: { schema: positiveInt, default: '5', doc: 'how often each edge re-reads the pass keyset from Redis (a rotation needs no restart)' },
  PASS_JWKS_MAX_AGE_S: { schema: positiveInt, default: '60', doc: 'how long the API trusts its copy of the edge JWKS (and a pass it already verified) before fetching again: a retired key stops verifying within this' },
  VISITOR_TOKEN_SECRET: { schema: z.string().min(32).optional(), secret: true, doc: 'HMAC secret of visitor tokens (32+ chars). generated once and shared through Redis outside production' },
  AUTH_JWT_SECRET: { schema: z.string().min(32).optional(), secret: true, doc: 'HMAC secret of account access tokens (32+ chars). generated once and shared through Redis outside production' },
  ADMIN_API_TOKEN: { schema: z.string().min(16).optional(), secret: true, doc: 'static bearer token for operator controls (optional, in addition to admin accounts)' },
  PASS_JWKS_URL: { schema: url.optional(), doc: 'where the API fetches the edge JWKS (default PUBLIC_EDGE_URL/.well-known/jwks.json)' },
  PAYMENT_GATEWAY: { schema: z.enum(['demo', 'stripe', 'paypal']), default: 'demo', doc: 'the default gateway: demo takes no money and says so; stripe needs STRIPE_SECRET_KEY; paypal needs PAYPAL_CLIENT_ID' },
  PAYMENT_GATEWAYS: { schema: csv.pipe(z.array(z.enum(['demo', 'stripe', 'paypal'])).min(1)).optional(), doc: 'comma-separated gateways this deployment offers (a sale may narrow them); unset: PAYMENT_GATEWAY alone' },
  STRIPE_SECRET_KEY: { schema: optionalString, secret: true, doc: 'Stripe secret key' },
  STRIPE_WEBHOOK_SECRET: { schema: optionalString, secret: true, doc: 'Stripe webhook signing secret' },
  STRIPE_PUBLISHABLE_KEY: { schema: optionalString, doc: 'enables the Payment Element on the checkout page' },
  STRIPE_API_HOST: { schema: optionalString, doc: 'override of api.stripe.com (tests point it at a local stand-in)' },
  STRIPE_API_PORT: { schema: port.optional(), doc: 'override of the Stripe API port' },
  STRIPE_API_PROTOCOL: { schema: z.enum(['http', 'https']).optional(), doc: 'override of the Stripe API protocol' },
  OIDC_ISSUER: { schema: url.optional(), doc: 'OpenID Connect provider for "Sign in with …" (its discovery document at ISSUER/.well-known/openid-configuration); unset: off' },
  OIDC_CLIENT_ID: { schema: optionalString, doc: 'client id Usher has at the OpenID Connect provider (with OIDC_ISSUER)' },
  OIDC_CLIENT_SECRET: { schema: optionalString, secret: true, doc: 'client secret at the OpenID Connect provider (with OIDC_ISSUER)' },
  OIDC_PROVIDER_NAME: { schema: z.string().min(1).max(40), default: 'OpenID Connect', doc: 'the provider as the login page names it ("Sign in with …")' },
  PAYPAL_CLIENT_ID: { schema: optionalString, doc: 'PayPal REST app client id' },
  PAYPAL_CLIENT_SECRET: { schema: optionalString, secret: true, doc: 'PayPal REST app secret' },
  PAYPAL_WEBHOOK_ID: { schema: optionalString, doc: 'id of the PayPal webhook whose events are verified (verify-webhook-signature)' },
  PAYPAL_ENVIRONMENT: { schema: z.enum(['sandbox', 'production']), default: 'sandbox', doc: 'PayPal sandbox or live API' },
  PAYPAL_API_BASE_URL: { schema: url.optional(), doc: 'tests only: send the PayPal SDK\'s requests over plain HTTP to this local stand-in instead of PayPal' },
  TWILIO_ACCOUNT_SID: { schema: optionalString, doc: 'Twilio account SID; SMS confirmations and reminders are off while unset' },
  TWILIO_AUTH_TOKEN: { schema: optionalString, secret: true, doc: 'Twilio auth token (also validates the STOP webhook\'s X-Twilio-Signature)' },
  TWILIO_FROM_NUMBER: { schema: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number').optional(), doc: 'the number SMS are sent from (E.164)' },
  TWILIO_API_BASE_URL: { schema: url.optional(), doc: 'tests only: send the Twilio SDK\'s requests to this local stand-in instead of api.twilio.com' },
  LOYALTY_EARN_BPS: { schema: nonNegativeInt.max(10000), default: '100', doc: 'loyalty points earned per confirmed order, in basis points of the total paid (1 point = 1 minor unit), for organisers without their own rate' },
  PROMO_ATTEMPTS_PER_MIN: { schema: positiveInt, default: '10', doc: 'promo codes a client address (and an admission pass) may try per minute; more get 429' },
  SMTP_URL: { schema: url.optional(), secret: true, doc: 'send mail through this SMTP server; unset: mail is recorded in Postgres and logged' },
  MAIL_FROM: { schema: z.string().min(3), default: 'Usher <tickets@usher.local>', doc: 'sender of confirmations and reminders' },
  BULLMQ_PREFIX: { schema: z.string().min(1), default: '{usher:jobs}', doc: 'BullMQ key prefix; keep the hash tag for Redis Cluster' },
  WORKER_CONCURRENCY: { schema: positiveInt, default: '64', doc: 'jobs in flight per worker process' },
  COMMIT_BATCH_MAX: { schema: positiveInt, default: '32', doc: 'paid holds the commit worker writes in one Postgres transaction (group commit); 1 commits each alone. Keep it at most WORKER_CONCURRENCY, which bounds how many wait' },
  COMMIT_BATCH_WAIT_MS: { schema: nonNegativeInt, default: '2', doc: 'how long a commit batch waits for more holds after its first before it goes' },
  SWEEP_INTERVAL_MS: { schema: positiveInt, default: '1000', doc: 'how often expired holds are swept' },
  SWEEP_BATCH: { schema: positiveInt, default: '200', doc: 'holds expired per shard per sweep' },
  CLAIM_TIMEOUT_S: { schema: positiveInt, default: '120', doc: 'a CLAIMED hold older than this goes to the reconciler' },
  REMINDER_BEFORE_S: { schema: nonNegativeInt, default: '86400', doc: 'reminder e-mail this long before the event' },
  RATE_LIMIT_PER_IP_PER_MIN: { schema: positiveInt, default: '600', doc: 'HTTP requests per client address per minute' },
  BODY_LIMIT_BYTES: { schema: positiveInt, default: '65536', doc: 'largest HTTP request body' },
  TRUST_PROXY: { schema: bool, default: 'false', doc: 'take the client address from X-Forwarded-For' },
  ADMISSION_BACKOFF: { schema: bool, default: 'true', doc: 'the admission tick lowers the effective rate by itself while a backend health signal is past its threshold (a sale may turn it off: controls set_backoff)' },
  ADMISSION_BACKOFF_HOLD_P99_MS: { schema: nonNegativeInt, default: '500', doc: 'default threshold: p99 of hold requests over the health window, across API processes (0 = not watched; a sale may override)' },
  ADMISSION_BACKOFF_COMMIT_QUEUE: { schema: nonNegativeInt, default: '2000', doc: 'default threshold: commit jobs waiting (0 = not watched; a sale may override)' },
  ADMISSION_BACKOFF_ERROR_RATE_PCT: { schema: z.coerce.number().min(0).max(100), default: '5', doc: 'default threshold: % of API requests answered 5xx over the health window (0 = not watched; a sale may override)' },
  ADMISSION_BACKOFF_RECOVERY_PCT_PER_S: { schema: z.coerce.number().positive().max(100), default: '10', doc: 'additive recovery of a backed-off rate, % of the set rate per second (a breach halves it each second)' },
  ADMISSION_BACKOFF_FLOOR_PCT: { schema: z.coerce.number().min(0).max(100), default: '5', doc: 'the backoff never takes the effective rate below this % of the set rate' },
  HEALTH_WINDOW_S: { schema: positiveInt, default: '5', doc: 'API and worker publish their health signals to Redis every second over this window' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { schema: url.optional(), doc: 'OTLP/HTTP collector (e.g. http://otel-collector:4318); set, every role exports traces there; unset, tracing is off (no SDK loaded)' },
  OTEL_SERVICE_NAME: { schema: optionalString, doc: 'service.name of exported spans (default usher-<role>)' },
  OTEL_TRACES_SAMPLER_RATIO: { schema: z.coerce.number().min(0).max(1), default: '1', doc: 'share of new traces sampled (parent-based: a sampled fan stays sampled across roles)' },
  SHUTDOWN_GRACE_MS: { schema: positiveInt, default: '10000', doc: 'bounded drain on SIGTERM before the process exits' },
} satisfies Record<string, Variable>;

/** The League of Entropy's quicknet chain (3 s rounds): the production default of DRAW_BEACON_URL. */
export const DRAND_QUICKNET = 'https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971';

export type VariableName = keyof typeof variables;
type Parsed = { [K in VariableName]: z.output<(typeof variables)[K]['schema']> };

export interface Config {
  env: 'development' | 'test' | 'production';
  logLevel: Parsed['LOG_LEVEL'];
  redis: { url: string; clusterNodes: string[] | undefined; password: string | undefined };
  postgres: { url: string; replicaUrl: string | undefined; poolMax: number; acquireTimeoutMs: number };
  http: {
    host: string;
    apiPort: number;
    apiProcesses: number;
    apiKeepAliveTimeoutS: number;
    edgePort: number;
    workerPort: number;
    apiMetricsPort: number;
    edgeMetricsPort: number;
    publicApiUrl: string;
    publicEdgeUrl: string;
    trustProxy: boolean;
    bodyLimitBytes: number;
    rateLimitPerIpPerMin: number;
  };
  edge: {
    processes: number;
    tickMs: number;
    maxPayloadBytes: number;
    bodyLimitBytes: number;
    idleTimeoutS: number;
    maxBackpressureBytes: number;
    allowedOrigins: string[] | undefined;
    connectsPerIpPerMin: number;
    joinsPerIpPerMin: number;
    reconnectGraceS: number;
    offerTtlS: number;
    /** the opening draw's beacon: a drand chain URL, or null for none */
    drawBeacon: { url: string | null; delayS: number; timeoutS: number };
  };
  secrets: {
    passSigningJwks: string | undefined;
    visitorTokenSecret: string | undefined;
    authJwtSecret: string | undefined;
    adminApiToken: string | undefined;
  };
  pass: {
    ttlS: number;
    jwksUrl: string;
    /** edges re-read the keyset from Redis this often */
    keysRefreshS: number;
    /** the API refetches the JWKS (and re-verifies cached passes) after this */
    jwksMaxAgeS: number;
  };
  payments: {
    /** the default gateway (a sale that names none offers `gateways`, this one first) */
    gateway: 'demo' | 'stripe' | 'paypal';
    gateways: ('demo' | 'stripe' | 'paypal')[];
    stripeSecretKey: string | undefined;
    stripeWebhookSecret: string | undefined;
    stripePublishableKey: string | undefined;
    stripeApiHost: string | undefined;
    stripeApiPort: number | undefined;
    stripeApiProtocol: 'http' | 'https' | undefined;
    paypal: { clientId: string | undefined; clientSecret: string | undefined; webhookId: string | undefined; environment: 'sandbox' | 'production'; apiBaseUrl: string | undefined };
  };
  /** Twilio SMS: on when the SID, token and sender are all set. */
  sms: { accountSid: string | undefined; authToken: string | undefined; from: string | undefined; apiBaseUrl: string | undefined; enabled: boolean };
  commerce: {
    /** points per order, basis points of the total paid, where the organiser set no rate */
    loyaltyEarnBps: number;
    promoAttemptsPerMin: number;
  };
  mail: { smtpUrl: string | undefined; from: string };
  /** sign-in with an OpenID Connect provider; null when OIDC_ISSUER is unset */
  oidc: { issuer: string; clientId: string; clientSecret: string; name: string } | null;
  worker: {
    bullmqPrefix: string;
    concurrency: number;
    /** group commit: holds per batch and how long a batch waits to fill (checkout/worker/commit/commit-batcher.ts) */
    commitBatch: { max: number; waitMs: number };
    sweepIntervalMs: number;
    sweepBatch: number;
    claimTimeoutS: number;
    reminderBeforeS: number;
  };
  /** admission that follows backend health (admission/backend-health.ts) */
  backoff: {
    enabled: boolean;
    holdP99Ms: number;
    commitQueue: number;
    errorRatePct: number;
    recoveryPctPerS: number;
    floorPct: number;
    healthWindowS: number;
  };
  /** OpenTelemetry tracing (common/tracing.ts): off unless an endpoint is set */
  tracing: { endpoint: string | undefined; serviceName: string | undefined; sampleRatio: number };
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const productionSecrets: VariableName[] = ['PASS_SIGNING_JWKS', 'VISITOR_TOKEN_SECRET', 'AUTH_JWT_SECRET'];

function shown(name: VariableName, value: string): string {
  return (variables[name] as Variable).secret ? '(secret, not shown)' : JSON.stringify(value);
}

/** Parses `env` (default `process.env`) and throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(variables) as [VariableName, Variable][]) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = variable.schema.safeParse(raw ?? variable.default);
    if (result.success) out[name] = result.data;
    else problems.push(`${name}=${raw === undefined ? '(unset)' : shown(name, raw)}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  }
  const p = out as Parsed;
  if (problems.length === 0 && p.NODE_ENV === 'production') {
    for (const name of productionSecrets) if (p[name] === undefined) problems.push(`${name}=(unset): required when NODE_ENV=production`);
  }
  const gateways = [...new Set([p.PAYMENT_GATEWAY, ...(p.PAYMENT_GATEWAYS ?? [])])];
  if (problems.length === 0 && gateways.includes('stripe')) {
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'] as const) {
      if (p[name] === undefined) problems.push(`${name}=(unset): required when the stripe gateway is on`);
    }
  }
  if (problems.length === 0 && (p.OIDC_ISSUER !== undefined || p.OIDC_CLIENT_ID !== undefined || p.OIDC_CLIENT_SECRET !== undefined)) {
    for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const) {
      if (p[name] === undefined) problems.push(`${name}=(unset): OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together`);
    }
  }
  if (problems.length === 0 && gateways.includes('paypal')) {
    for (const name of ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET', 'PAYPAL_WEBHOOK_ID'] as const) {
      if (p[name] === undefined) problems.push(`${name}=(unset): required when the paypal gateway is on`);
    }
  }
  const smsVars = [p.TWILIO_ACCOUNT_SID, p.TWILIO_AUTH_TOKEN, p.TWILIO_FROM_NUMBER];
  if (problems.length === 0 && smsVars.some((v) => v !== undefined) && smsVars.some((v) => v === undefined)) {
    problems.push('TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER: set all three for SMS, or none');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: p.NODE_ENV,
    logLevel: p.LOG_LEVEL,
    redis: { url: p.REDIS_URL, clusterNodes: p.REDIS_CLUSTER_NODES, password: p.REDIS_PASSWORD },
    postgres: { url: p.DATABASE_URL, replicaUrl: p.DATABASE_REPLICA_URL, poolMax: p.PG_POOL_MAX, acquireTimeoutMs: p.PG_POOL_ACQUIRE_TIMEOUT_MS },
    http: {
      host: p.HOST,
      apiPort: p.API_PORT,
      apiProcesses: p.API_PROCESSES,
      apiKeepAliveTimeoutS: p.API_KEEP_ALIVE_TIMEOUT_S,
      edgePort: p.EDGE_PORT,
      workerPort: p.WORKER_PORT,
      apiMetricsPort: p.API_METRICS_PORT,
      edgeMetricsPort: p.EDGE_METRICS_PORT,
      publicApiUrl: p.PUBLIC_API_URL.replace(/\/$/, ''),
      publicEdgeUrl: p.PUBLIC_EDGE_URL.replace(/\/$/, ''),
      trustProxy: p.TRUST_PROXY,
      bodyLimitBytes: p.BODY_LIMIT_BYTES,
      rateLimitPerIpPerMin: p.RATE_LIMIT_PER_IP_PER_MIN,
    },
    edge: {
      processes: p.EDGE_PROCESSES,
      tickMs: p.EDGE_TICK_MS,
      maxPayloadBytes: p.EDGE_MAX_PAYLOAD_BYTES,
      bodyLimitBytes: p.EDGE_BODY_LIMIT_BYTES,
      idleTimeoutS: p.EDGE_IDLE_TIMEOUT_S,
      maxBackpressureBytes: p.EDGE_MAX_BACKPRESSURE_BYTES,
      allowedOrigins: p.EDGE_ALLOWED_ORIGINS,
      connectsPerIpPerMin: p.EDGE_CONNECTS_PER_IP_PER_MIN,
      joinsPerIpPerMin: p.EDGE_JOINS_PER_IP_PER_MIN,
      reconnectGraceS: p.QUEUE_RECONNECT_GRACE_S,
      offerTtlS: p.QUEUE_OFFER_TTL_S,
      drawBeacon: {
        url: p.DRAW_BEACON_URL === 'none' ? null : p.DRAW_BEACON_URL === 'auto' ? (p.NODE_ENV === 'production' ? DRAND_QUICKNET : null) : p.DRAW_BEACON_URL,
        delayS: p.DRAW_BEACON_DELAY_S,
        timeoutS: p.DRAW_BEACON_TIMEOUT_S,
      },
    },
    secrets: {
      passSigningJwks: p.PASS_SIGNING_JWKS,
      visitorTokenSecret: p.VISITOR_TOKEN_SECRET,
      authJwtSecret: p.AUTH_JWT_SECRET,
      adminApiToken: p.ADMIN_API_TOKEN,
    },
    pass: {
      ttlS: p.PASS_TTL_S,
      jwksUrl: p.PASS_JWKS_URL ?? `${p.PUBLIC_EDGE_URL.replace(/\/$/, '')}/.well-known/jwks.json`,
      keysRefreshS: p.PASS_KEYS_REFRESH_S,
      jwksMaxAgeS: p.PASS_JWKS_MAX_AGE_S,
    },
    payments: {
      gateway: p.PAYMENT_GATEWAY,
      // the default first: a sale that names no gateway offers this order
      gateways: [p.PAYMENT_GATEWAY, ...(p.PAYMENT_GATEWAYS ?? []).filter((g) => g !== p.PAYMENT_GATEWAY)],
      stripeSecretKey: p.STRIPE_SECRET_KEY,
      stripeWebhookSecret: p.STRIPE_WEBHOOK_SECRET,
      stripePublishableKey: p.STRIPE_PUBLISHABLE_KEY,
      stripeApiHost: p.STRIPE_API_HOST,
      stripeApiPort: p.STRIPE_API_PORT,
      stripeApiProtocol: p.STRIPE_API_PROTOCOL,
      paypal: { clientId: p.PAYPAL_CLIENT_ID, clientSecret: p.PAYPAL_CLIENT_SECRET, webhookId: p.PAYPAL_WEBHOOK_ID, environment: p.PAYPAL_ENVIRONMENT, apiBaseUrl: p.PAYPAL_API_BASE_URL },
    },
    sms: {
      accountSid: p.TWILIO_ACCOUNT_SID, authToken: p.TWILIO_AUTH_TOKEN, from: p.TWILIO_FROM_NUMBER, apiBaseUrl: p.TWILIO_API_BASE_URL,
      enabled: smsVars.every((v) => v !== undefined),
    },
    commerce: { loyaltyEarnBps: p.LOYALTY_EARN_BPS, promoAttemptsPerMin: p.PROMO_ATTEMPTS_PER_MIN },
    mail: { smtpUrl: p.SMTP_URL, from: p.MAIL_FROM },
    oidc: p.OIDC_ISSUER && p.OIDC_CLIENT_ID && p.OIDC_CLIENT_SECRET
      ? { issuer: p.OIDC_ISSUER, clientId: p.OIDC_CLIENT_ID, clientSecret: p.OIDC_CLIENT_SECRET, name: p.OIDC_PROVIDER_NAME }
      : null,
    worker: {
      bullmqPrefix: p.BULLMQ_PREFIX,
      concurrency: p.WORKER_CONCURRENCY,
      commitBatch: { max: p.COMMIT_BATCH_MAX, waitMs: p.COMMIT_BATCH_WAIT_MS },
      sweepIntervalMs: p.SWEEP_INTERVAL_MS,
      sweepBatch: p.SWEEP_BATCH,
      claimTimeoutS: p.CLAIM_TIMEOUT_S,
      reminderBeforeS: p.REMINDER_BEFORE_S,
    },
    backoff: {
      enabled: p.ADMISSION_BACKOFF,
      holdP99Ms: p.ADMISSION_BACKOFF_HOLD_P99_MS,
      commitQueue: p.ADMISSION_BACKOFF_COMMIT_QUEUE,
      errorRatePct: p.ADMISSION_BACKOFF_ERROR_RATE_PCT,
      recoveryPctPerS: p.ADMISSION_BACKOFF_RECOVERY_PCT_PER_S,
      floorPct: p.ADMISSION_BACKOFF_FLOOR_PCT,
      healthWindowS: p.HEALTH_WINDOW_S,
    },
    tracing: { endpoint: p.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: p.OTEL_SERVICE_NAME, sampleRatio: p.OTEL_TRACES_SAMPLER_RATIO },
    shutdownGraceMs: p.SHUTDOWN_GRACE_MS,
  };
}

/** Start-up form of loadConfig: prints every problem and exits 78 (EX_CONFIG). */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`usher: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
