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
  tickSeconds: histogram('usher_edge_tick_seconds', 'one admission tick of one sale (script + broadcast)'),
  droppedMessages: counter('usher_edge_messages_dropped_total', 'messages to fans dropped by backpressure'),
  rejected: counter('usher_edge_rejected_total', 'connections and joins refused', ['reason']),
  passesIssued: counter('usher_edge_passes_issued_total', 'admission passes signed by this edge'),
};
