/**
 * The worker's clocks: the hold sweeper (every SWEEP_INTERVAL_MS, safe to run in every worker: its
 * scripts are atomic) and the reconciler (every RECONCILE_EVERY_MS, once across all workers thanks
 * to a Redis lock that outlives the run), the reminder sweep (every REMINDER_SWEEP_EVERY_MS, in
 * every worker: the reminder jobs' ids are the orders', so two sweeps queue each one once), plus
 * the gauges of worker-gauges.ts.
 */
import type { Logger } from '../../common/logger.js';
import type { CheckoutServices } from '../checkout-services.js';
import { reconcile } from './commit/reconciler.js';
import { endLease } from '../../admission/pass-lease.js';
import type { SweepReport } from '../../inventory/index.js';
import { persistentAudit, reportQueueDepths, reportStaleClaims } from './worker-gauges.js';
import { redisKeys } from '../../common/redis-keys.js';
import { queueDueReminders } from './notifications/reminder-sweep.js';

const RECONCILE_EVERY_MS = 30_000;
const AUDIT_EVERY_MS = 300_000;
const GAUGES_EVERY_MS = 5_000;
/** A reminder goes out within this of its time (REMINDER_BEFORE_S before the event). */
const REMINDER_SWEEP_EVERY_MS = 60_000;
const LOCK_KEY = redisKeys.reconcilerLock;

/**
 * Postgres follows each sale's window: published sales open at opens_at, open and paused ones
 * close at closes_at (the inventory and the edge enforce the same times from their own copies;
 * this keeps the record, the catalog and the dashboard truthful). Returns how many changed.
 */
export async function followSaleWindows(pg: CheckoutServices['ctx']['pg']): Promise<number> {
  const { rowCount } = await pg.query(
    `UPDATE sales SET status = CASE WHEN closes_at <= now() THEN 'closed' ELSE 'open' END
     WHERE (status = 'published' AND opens_at <= now()) OR (status IN ('published', 'open', 'paused') AND closes_at <= now())`,
  );
  return rowCount ?? 0;
}

/** Expires holds past their deadline; an expired hold ends its pass's lease, so the shopper slot goes to the next fan. */
export async function sweepHolds(deps: CheckoutServices, nowMs?: number, saleIds?: string[]): Promise<SweepReport> {
  const report = await deps.inventory.sweep(nowMs, saleIds);
  reportStaleClaims(report.staleClaims.length);
  for (const p of report.expiredPasses) await endLease(deps.ctx.redis, p.saleId, p.passJti);
  return report;
}

export function startPeriodicTasks(deps: CheckoutServices, log: Logger): { stop(): Promise<void> } {
  const { config, redis } = deps.ctx;
  const staleAfterMs = config.worker.claimTimeoutS * 1000;
  let staleClaims = new Set<string>();
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const sweep = async () => {
    const report = await sweepHolds(deps);
    for (const c of report.staleClaims) staleClaims.add(c.holdId);
  };
  const reconcileOnce = async () => {
    if ((await redis.set(LOCK_KEY, String(process.pid), 'PX', RECONCILE_EVERY_MS - 1000, 'NX')) !== 'OK') return;
    const claims = [...staleClaims];
    staleClaims = new Set();
    await reconcile(deps, log, { staleAfterMs, abandonAfterMs: Math.max(staleAfterMs, 3600_000) }, claims);
  };
  const guard = (name: string, fn: () => Promise<void>) => () => {
    if (stopped) return;
    running = running.then(fn).catch((err: unknown) => log.warn({ task: name, err: (err as Error).message }, 'periodic task failed; next run retries'));
  };
  const timers = [
    setInterval(guard('sweep', sweep), config.worker.sweepIntervalMs),
    setInterval(guard('reconcile', reconcileOnce), RECONCILE_EVERY_MS),
    setInterval(guard('queue depths', () => reportQueueDepths(deps)), GAUGES_EVERY_MS),
    setInterval(guard('sale windows', async () => void (await followSaleWindows(deps.ctx.pg))), GAUGES_EVERY_MS),
    setInterval(guard('audit', persistentAudit(deps, log)), AUDIT_EVERY_MS),
    setInterval(guard('reminders', async () => void (await queueDueReminders(deps))), REMINDER_SWEEP_EVERY_MS),
  ];
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await running;
    },
  };
}
