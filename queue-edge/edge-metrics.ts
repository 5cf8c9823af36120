/** The edge's Prometheus metrics (registered once per process via common/metrics.ts). */
import { counter, gauge, histogram } from '../common/metrics.js';

export const edgeMetrics = {
  connectedFans: gauge('usher_edge_connected_fans', 'fans with an open socket on this edge process'),
  queueLength: gauge('usher_queue_length', 'fans waiting in the queue (sale-wide)', ['sale']),
  prequeueLength: gauge('usher_prequeue_length', 'fans in the pre-queue before the opening shuffle', ['sale']),
  admittedTotal: gauge('usher_queue_admitted_total', 'offers made since the sale started (sale-wide running total)', ['sale']),
  offersExpiredTotal: gauge('usher_queue_offers_expired_total', 'offers that lapsed untaken (sale-wide running total)', ['sale']),
  activeShoppers: gauge('usher_queue_active_shoppers', 'fans holding a live admission pass', ['sale']),
  tickSeconds: histogram('usher_edge_tick_seconds', 'one admission tick of one sale (script + broadcast)'),
  droppedMessages: counter('usher_edge_messages_dropped_total', 'messages to fans dropped by backpressure'),
  rejected: counter('usher_edge_rejected_total', 'connections and joins refused', ['reason']),
  passesIssued: counter('usher_edge_passes_issued_total', 'admission passes signed by this edge'),
};
