/**
 * Every metric the dashboard, alerts and autoscalers read, in one place. `source` is the module
 * that registers it today; `agreed` marks a name agreed with the team but not yet registered in
 * code when this was written. k8s/metrics.unit.test.ts keeps both lists honest: a `source` must still
 * register the name, and every expression may only use names listed here.
 */
export interface MetricName {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'external';
  source?: string;
  agreed?: true;
}

export const metrics = {
  connectedFans: { name: 'usher_edge_connected_fans', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  queueLength: { name: 'usher_queue_length', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  prequeueLength: { name: 'usher_prequeue_length', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  // A sale-wide running total that every edge reports (a gauge): read with max by (sale).
  admittedTotal: { name: 'usher_queue_admitted_total', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  offersExpiredTotal: { name: 'usher_queue_offers_expired_total', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  activeShoppers: { name: 'usher_queue_active_shoppers', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  // Admission that follows backend health (admission/backend-health.ts): sale-wide, read with max by (sale).
  admissionRate: { name: 'usher_admission_rate_per_min', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  admissionEffectiveRate: { name: 'usher_admission_effective_rate_per_min', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  admissionBackoff: { name: 'usher_admission_backoff_engaged', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  admissionBackoffBreach: { name: 'usher_admission_backoff_breach', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  backendHealthSignal: { name: 'usher_backend_health_signal', type: 'gauge', source: 'queue-edge/edge-metrics.ts' },
  edgeTick: { name: 'usher_edge_tick_seconds', type: 'histogram', source: 'queue-edge/edge-metrics.ts' },
  edgeDropped: { name: 'usher_edge_messages_dropped_total', type: 'counter', source: 'queue-edge/edge-metrics.ts' },
  edgeRejected: { name: 'usher_edge_rejected_total', type: 'counter', source: 'queue-edge/edge-metrics.ts' },
  passesIssued: { name: 'usher_edge_passes_issued_total', type: 'counter', source: 'queue-edge/edge-metrics.ts' },
  holdRequests: { name: 'usher_inventory_hold_requests_total', type: 'counter', source: 'inventory/hold-placement.ts' },
  holdSeconds: { name: 'usher_hold_seconds', type: 'histogram', source: 'inventory/hold-placement.ts' },
  claimedStaleHolds: { name: 'usher_claimed_stale_holds', type: 'gauge', source: 'checkout/worker/worker-gauges.ts' },
  commitSeconds: { name: 'usher_commit_seconds', type: 'histogram', source: 'checkout/worker/commit/commit-hold.ts' },
  commitJobs: { name: 'usher_commit_outcomes_total', type: 'counter', source: 'checkout/worker/commit/commit-hold.ts' },
  reconcilerActions: { name: 'usher_reconciler_actions_total', type: 'counter', source: 'checkout/worker/commit/reconciler.ts' },
  jobsWaiting: { name: 'usher_queue_jobs_waiting', type: 'gauge', source: 'checkout/worker/worker-gauges.ts' },
  webhooks: { name: 'usher_stripe_webhooks_total', type: 'counter', source: 'checkout/payments/stripe-webhook-routes.ts' },
  httpRequests: { name: 'usher_http_requests_total', type: 'counter', source: 'checkout/api/http-metrics.ts' },
  httpSeconds: { name: 'usher_http_request_seconds', type: 'histogram', source: 'checkout/api/http-metrics.ts' },
  catalogSeconds: { name: 'usher_catalog_request_duration_seconds', type: 'histogram', source: 'checkout/catalog/catalog-routes.ts' },
  rateLimited: { name: 'usher_api_rate_limited_total', type: 'counter', source: 'checkout/api/rate-limit.ts' },
  auditViolations: { name: 'usher_audit_violations', type: 'gauge', source: 'checkout/worker/worker-gauges.ts' },
  // redis_exporter (the OT redis-operator's sidecar) and prom-client's default process metrics.
  redisMemoryUsed: { name: 'redis_memory_used_bytes', type: 'external' },
  redisMemoryMax: { name: 'redis_memory_max_bytes', type: 'external' },
  processCpu: { name: 'process_cpu_seconds_total', type: 'external' },
  eventLoopLag: { name: 'nodejs_eventloop_lag_p99_seconds', type: 'external' },
  // CloudNativePG's instance exporter: the Barman Cloud plugin's backup times and pg_stat_archiver.
  pgLastBackup: { name: 'barman_cloud_cloudnative_pg_io_last_available_backup_timestamp', type: 'external' },
  pgWalLastArchived: { name: 'cnpg_pg_stat_archiver_last_archived_time', type: 'external' },
  pgWalLastFailed: { name: 'cnpg_pg_stat_archiver_last_failed_time', type: 'external' },
} as const satisfies Record<string, MetricName>;

export const metricNames: MetricName[] = Object.values(metrics);

/** `name` of the entry; a histogram's series get `_bucket`, `_sum`, `_count`. */
export const m = Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v.name])) as { [K in keyof typeof metrics]: (typeof metrics)[K]['name'] };
