/**
 * The edge's Prometheus metrics (registered once per process via common/metrics.ts).
 *
 * Two kinds, and /metrics combines them differently over EDGE_PROCESSES (process-group-metrics.ts):
 * this process's own figures (its fans, its ticks, its passes) are summed; the sale-wide figures
 * every process copies from the admission tick's answer (the same Redis counters) take the
 * processes' largest copy ('max'), since summing would multiply them by the process count. The
 * copies differ by at most one tick; 'max' is the freshest of the running totals, so `rate()` never
 * sees them step back.
 */
import { counter, gauge, histogram } from '../common/metrics.js';

export const edgeMetrics = {
  connectedFans: gauge('usher_edge_connected_fans', 'fans with an open socket on this edge process'),
  queueLength: gauge('usher_queue_length', 'fans waiting in the queue (sale-wide)', ['sale'], 'max'),
  prequeueLength: gauge('usher_prequeue_length', 'fans in the pre-queue before the opening shuffle (sale-wide)', ['sale'], 'max'),
  admittedTotal: gauge('usher_queue_admitted_total', 'offers made since the sale started (sale-wide running total)', ['sale'], 'max'),
  offersExpiredTotal: gauge('usher_queue_offers_expired_total', 'offers that lapsed untaken (sale-wide running total)', ['sale'], 'max'),
  activeShoppers: gauge('usher_queue_active_shoppers', 'fans holding a live admission pass (sale-wide)', ['sale'], 'max'),
  ratePerMin: gauge('usher_admission_rate_per_min', 'admission rate the operator set (sale-wide)', ['sale'], 'max'),
  effectiveRatePerMin: gauge('usher_admission_effective_rate_per_min', 'admission rate in force: the setting, or less while backed off on backend health (sale-wide)', ['sale'], 'max'),
  backoffEngaged: gauge('usher_admission_backoff_engaged', '1 while the effective admission rate is below the setting (sale-wide)', ['sale'], 'max'),
  backoffBreach: gauge('usher_admission_backoff_breach', '1 while this backend health signal is past its threshold at the last backoff step (sale-wide)', ['sale', 'signal'], 'max'),
  healthSignal: gauge('usher_backend_health_signal', 'backend health as the edges read it from Redis: hold_p99_ms, commit_queue, error_rate_pct', ['signal'], 'max'),
  tickSeconds: histogram('usher_edge_tick_seconds', 'one admission tick of one sale (script + broadcast)'),
  droppedMessages: counter('usher_edge_messages_dropped_total', 'messages to fans dropped by backpressure'),
  rejected: counter('usher_edge_rejected_total', 'connections and joins refused', ['reason']),
  passesIssued: counter('usher_edge_passes_issued_total', 'admission passes signed by this edge'),
};
