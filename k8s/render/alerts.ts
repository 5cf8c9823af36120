/**
 * The PrometheusRule: one alert per way a sale goes wrong that an operator can act on. Each alert
 * names its runbook section in k8s/README.md (k8s/readme.unit.test.ts checks the section exists).
 */
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { Overlay } from './overlays.js';
import { m } from './metric-names.js';
import { plain, type K8sObject } from './k8s-object.js';
import { pgBackup, runningCluster } from './postgres-backups.js';

/** The running Cluster's pods (CloudNativePG names them `<cluster>-<n>`). */
const pgPods = `pod=~"${runningCluster().metadata.name}-[0-9]+"`;

export interface Alert {
  alert: string;
  expr: string;
  for: string;
  severity: 'critical' | 'warning';
  summary: string;
}

/** The BullMQ queue whose backlog is "paid holds not yet committed". */
export const commitQueue = 'commit-order';

export const alerts: Alert[] = [
  {
    alert: 'UsherAdmissionStalled',
    // Fans wait but nobody was admitted for 5 minutes. Paused sales and full shops stall too:
    // the runbook starts by ruling those out.
    expr: `(max by (sale) (${m.queueLength}) > 0) and on (sale) (max by (sale) (rate(${m.admittedTotal}[5m])) == 0)`,
    for: '5m',
    severity: 'critical',
    summary: 'Sale {{ $labels.sale }} has fans waiting and admitted nobody for 5 minutes',
  },
  {
    alert: 'UsherHoldErrorRate',
    expr: `sum(rate(${m.holdRequests}{outcome="error"}[5m])) / clamp_min(sum(rate(${m.holdRequests}[5m])), 1e-9) > 0.01`,
    for: '5m',
    severity: 'critical',
    summary: 'More than 1% of hold requests fail with an error',
  },
  {
    alert: 'UsherCommitLag',
    expr: `sum(${m.jobsWaiting}{queue="${commitQueue}"}) > 100 or histogram_quantile(0.95, sum by (le) (rate(${m.commitSeconds}_bucket[5m]))) > 5`,
    for: '5m',
    severity: 'warning',
    summary: 'Paid holds wait to be committed (backlog over 100 or p95 commit over 5 s)',
  },
  {
    alert: 'UsherCommitFailures',
    // Outcomes where a fan paid (authorized) but got no ticket: the payment was cancelled or voided.
    expr: `sum(increase(${m.commitJobs}{outcome=~"lost_payment_cancelled|seat_conflict_payment_cancelled|capture_failed_order_voided"}[15m])) > 0`,
    for: '0m',
    severity: 'warning',
    summary: 'Paid holds ended without tickets (payment cancelled or voided) in the last 15 minutes',
  },
  {
    alert: 'UsherClaimedHoldsStale',
    // A CLAIMED hold older than CLAIM_TIMEOUT_S is stuck between payment and Postgres.
    expr: `max(${m.claimedStaleHolds}) > 0`,
    for: '5m',
    severity: 'critical',
    summary: '{{ $value }} holds are CLAIMED for longer than the claim timeout',
  },
  {
    alert: 'UsherAuditViolation',
    // free + held + claimed + sold != capacity, or Redis sold seats differ from Postgres tickets.
    expr: `max by (sale) (${m.auditViolations}) > 0`,
    for: '0m',
    severity: 'critical',
    summary: 'Inventory audit found {{ $value }} violations in sale {{ $labels.sale }}',
  },
  {
    alert: 'UsherWebhookFailures',
    expr: `sum(rate(${m.webhooks}{outcome=~"bad_signature|error|failed"}[10m])) > 0 or sum(rate(${m.httpRequests}{route="/v1/webhooks/stripe",status=~"5.."}[10m])) > 0`,
    for: '10m',
    severity: 'warning',
    summary: 'Stripe webhooks are rejected or failing (Stripe retries, but payments wait)',
  },
  {
    alert: 'UsherAdmissionBackoffEngaged',
    // The tick runs below the operator's rate because a backend signal is past its threshold: fans
    // wait longer by design. Brief backoffs are the feature working; one that lasts wants a look.
    expr: `max by (sale) (${m.admissionBackoff}) > 0`,
    for: '5m',
    severity: 'warning',
    summary: 'Sale {{ $labels.sale }} admits below its set rate (backed off on backend health) for 5 minutes',
  },
  {
    alert: 'UsherBackendHealthBreaching',
    // Which signal holds admission down (hold_p99_ms, commit_queue, error_rate_pct).
    expr: `max by (sale, signal) (${m.admissionBackoffBreach}) > 0`,
    for: '2m',
    severity: 'warning',
    summary: 'Backend signal {{ $labels.signal }} is past its backoff threshold in sale {{ $labels.sale }}',
  },
  {
    alert: 'UsherAdmissionBackoffAtFloor',
    // Halved all the way down to ADMISSION_BACKOFF_FLOOR_PCT and still breaching: the shop is
    // not recovering at a trickle of fans; an operator must act.
    expr: `(max by (sale) (${m.admissionEffectiveRate}) / clamp_min(max by (sale) (${m.admissionRate}), 1e-9) < 0.1) and on (sale) (max by (sale) (${m.admissionBackoff}) > 0)`,
    for: '10m',
    severity: 'critical',
    summary: 'Sale {{ $labels.sale }} admits at under 10% of its set rate for 10 minutes (backend not recovering)',
  },
  {
    alert: 'UsherRedisMemoryNearLimit',
    // noeviction: at the limit Redis refuses writes, so joins and holds start failing.
    expr: `max by (pod) (${m.redisMemoryUsed} / (${m.redisMemoryMax} > 0)) > 0.8`,
    for: '5m',
    severity: 'critical',
    summary: 'Redis {{ $labels.pod }} uses over 80% of maxmemory (noeviction: writes fail at 100%)',
  },
  {
    alert: 'UsherApiErrorRate',
    expr: `sum(rate(${m.httpRequests}{status=~"5.."}[5m])) / clamp_min(sum(rate(${m.httpRequests}[5m])), 1e-9) > 0.02`,
    for: '5m',
    severity: 'warning',
    summary: 'More than 2% of API requests answer 5xx',
  },
  {
    alert: 'UsherEdgeTickSlow',
    expr: `histogram_quantile(0.99, sum by (le) (rate(${m.edgeTick}_bucket[5m]))) > 0.5`,
    for: '10m',
    severity: 'warning',
    summary: 'Admission ticks take over 500 ms (p99): positions and admissions lag',
  },
  {
    alert: 'UsherPostgresBackupTooOld',
    // No base backup in the object store for a night and two hours (or none at all): a restore
    // would replay that much WAL, or find nothing to start from.
    expr: `(time() - max(${m.pgLastBackup}{${pgPods}})) > ${pgBackup.maxAgeHours * 3600} or absent(${m.pgLastBackup}{${pgPods}})`,
    for: '30m',
    severity: 'critical',
    summary: `The newest PostgreSQL base backup is older than ${pgBackup.maxAgeHours} h (or there is none)`,
  },
  {
    alert: 'UsherPostgresWalArchivingFailing',
    // The archiver's last failure is newer than its last success: WAL piles up on the primary's
    // volume and point-in-time recovery stops at the last archived segment.
    expr: `max by (pod) (${m.pgWalLastFailed}{${pgPods}}) > max by (pod) (${m.pgWalLastArchived}{${pgPods}})`,
    for: '5m',
    severity: 'critical',
    summary: 'PostgreSQL {{ $labels.pod }} fails to archive WAL to the object store',
  },
];

/** Anchor of an alert's runbook section in k8s/README.md (GitHub's heading slug). */
export const runbookAnchor = (alert: string): string => alert.toLowerCase();

export function prometheusRule(overlay: Overlay): K8sObject {
  const rule: IPrometheusRule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'usher', namespace: overlay.namespace, labels: { 'app.kubernetes.io/part-of': 'usher', release: 'prometheus' } },
    spec: {
      groups: [
        {
          name: 'usher',
          rules: alerts.map((a) => ({
            alert: a.alert,
            expr: a.expr,
            for: a.for,
            labels: { severity: a.severity, service: 'usher' },
            annotations: { summary: a.summary, runbook: `k8s/README.md#${runbookAnchor(a.alert)}` },
          })),
        },
      ],
    },
  };
  return plain(rule) as unknown as K8sObject;
}
