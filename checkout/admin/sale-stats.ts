/**
 * Sales statistics from the record (Postgres) and the queue's running totals (Redis): sold and
 * revenue overall and per section, and the funnel from joining the queue to paying.
 */
import type { PgPool } from '../../common/postgres-pool.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { queueKeys } from '../../admission/queue-keys.js';

export interface SaleStats {
  saleId: string;
  currency: string;
  orders: { paid: number; live: number; cancelled: number };
  ticketsSold: number;
  revenueMinor: number;
  refundedMinor: number;
  sections: { sectionId: string; name: string; capacity: number; sold: number; revenueMinor: number }[];
  funnel: { joined: number; admitted: number; paid: number; admittedToPaid: number | null };
}

export async function readSaleStats(pg: PgPool, redis: RedisClient, saleId: string): Promise<SaleStats> {
  const keys = queueKeys(saleId);
  const [totals, sections, joined, admitted] = await Promise.all([
    pg.query<{ currency: string; paid: number; live: number; cancelled: number; revenue: number; refunded: number }>(
      `SELECT e.currency,
              count(o.id)::int AS paid,
              count(o.id) FILTER (WHERE o.status <> 'cancelled')::int AS live,
              count(o.id) FILTER (WHERE o.status = 'cancelled')::int AS cancelled,
              coalesce(sum(o.amount_minor) FILTER (WHERE o.status <> 'cancelled'), 0)::bigint AS revenue,
              coalesce((SELECT sum(r.amount_minor) FROM refunds r JOIN orders o2 ON o2.id = r.order_id WHERE o2.sale_id = s.id), 0)::bigint AS refunded
       FROM sales s JOIN events e ON e.id = s.event_id LEFT JOIN orders o ON o.sale_id = s.id
       WHERE s.id = $1 GROUP BY e.currency, s.id`, [saleId]),
    pg.query<{ id: string; name: string; capacity: number; sold: number; revenue: number }>(
      `SELECT sec.id, sec.name, sec.capacity,
              count(t.id)::int AS sold, coalesce(sum(t.price_minor), 0)::bigint AS revenue
       FROM sales s JOIN events e ON e.id = s.event_id JOIN sections sec ON sec.venue_id = e.venue_id
       LEFT JOIN orders o ON o.sale_id = s.id AND o.status <> 'cancelled'
       LEFT JOIN tickets t ON t.order_id = o.id AND t.section_id = sec.id AND t.status = 'live'
       WHERE s.id = $1 GROUP BY sec.id, sec.name, sec.capacity, sec.position ORDER BY sec.position, sec.name`, [saleId]),
    redis.get(keys.seq),
    redis.hget(keys.stats, 'admitted'),
  ]);
  const t = totals.rows[0] ?? { currency: 'EUR', paid: 0, live: 0, cancelled: 0, revenue: 0, refunded: 0 };
  const admittedN = Number(admitted ?? 0);
  return {
    saleId,
    currency: t.currency,
    orders: { paid: t.paid, live: t.live, cancelled: t.cancelled },
    ticketsSold: sections.rows.reduce((a, s) => a + s.sold, 0),
    revenueMinor: Number(t.revenue),
    refundedMinor: Number(t.refunded),
    sections: sections.rows.map((s) => ({ sectionId: s.id, name: s.name, capacity: s.capacity, sold: s.sold, revenueMinor: Number(s.revenue) })),
    funnel: { joined: Number(joined ?? 0), admitted: admittedN, paid: t.paid, admittedToPaid: admittedN > 0 ? t.paid / admittedN : null },
  };
}
