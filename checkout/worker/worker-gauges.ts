/**
 * Gauges the worker reports for alerts and autoscaling: waiting jobs per queue (KEDA scales
 * workers on it), CLAIMED holds older than the claim timeout, and audit violations of published
 * sales. The audit is not an atomic snapshot, so a violation only counts when the same one is seen
 * by two audits in a row (a commit in flight between Redis and Postgres is never that slow).
 */
import { gauge } from '../../common/metrics.js';
import type { Logger } from '../../common/logger.js';
import { publishedSales } from '../../inventory/index.js';
import type { CheckoutServices } from '../checkout-services.js';

const jobsWaiting = gauge('usher_queue_jobs_waiting', 'BullMQ jobs waiting or delayed-and-due per queue', ['queue']);
const staleClaims = gauge('usher_claimed_stale_holds', 'CLAIMED holds older than CLAIM_TIMEOUT_S at the last sweep');
const auditViolations = gauge('usher_audit_violations', 'inventory audit violations seen by two audits in a row', ['sale']);

export function reportStaleClaims(count: number): void {
  staleClaims.set(count);
}

/** Commit jobs not yet in a worker's hands: waiting, prioritized, and delayed for a retry. */
export async function commitQueueDepth(deps: Pick<CheckoutServices, 'commits'>): Promise<number> {
  const counts = await deps.commits.queue.getJobCounts('waiting', 'prioritized', 'delayed');
  return (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
}

export async function reportQueueDepths(deps: CheckoutServices): Promise<void> {
  for (const q of [deps.commits.queue, deps.notifications.queue]) {
    jobsWaiting.set({ queue: q.name }, await q.getWaitingCount());
  }
}

export function persistentAudit(deps: CheckoutServices, log: Logger): () => Promise<void> {
  let previous = new Map<string, Set<string>>();
  return async function auditPublishedSales() {
    const seen = new Map<string, Set<string>>();
    for (const saleId of await publishedSales(deps.ctx)) {
      const report = await deps.inventory.audit(saleId);
      const now = new Set(report.violations);
      const persistent = [...now].filter((v) => previous.get(saleId)?.has(v));
      auditViolations.set({ sale: saleId }, persistent.length);
      if (persistent.length > 0) log.error({ saleId, violations: persistent.slice(0, 20) }, 'inventory audit violations');
      seen.set(saleId, now);
    }
    previous = seen;
  };
}
