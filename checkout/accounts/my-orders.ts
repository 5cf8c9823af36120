/**
 * A fan's orders with their tickets: those placed while logged in (user id) and those bought as a
 * guest with the account's e-mail, before or after the account existed. The e-mail match is what
 * makes guest purchases appear; see the note on e-mail verification in accounts-routes.ts.
 */
import type { PgPool } from '../../common/postgres-pool.js';

export interface MyOrder {
  id: string;
  status: string;
  amountMinor: number;
  currency: string;
  createdAt: string;
  cancelledAt: string | null;
  refund: { status: string; amountMinor: number } | null;
  event: { id: string; title: string; startsAt: string; venueName: string; city: string; status: string };
  tickets: { id: string; section: string; label: string; tierCode: string; priceMinor: number; status: string }[];
}

export async function listMyOrders(pool: PgPool, user: { userId: string; email: string }, limit = 200): Promise<MyOrder[]> {
  const { rows } = await pool.query<MyOrder>(
    `SELECT o.id, o.status, o.amount_minor AS "amountMinor", o.currency, o.created_at AS "createdAt", o.cancelled_at AS "cancelledAt",
            (SELECT json_build_object('status', r.status, 'amountMinor', r.amount_minor) FROM refunds r WHERE r.order_id = o.id) AS refund,
            json_build_object('id', e.id, 'title', e.title, 'startsAt', e.starts_at, 'venueName', e.venue_name, 'city', e.city, 'status', e.status) AS event,
            coalesce((SELECT json_agg(json_build_object(
                        'id', t.id, 'section', s.name,
                        'label', CASE WHEN st.id IS NULL THEN s.name ELSE s.name || ', row ' || st.row_label || ', seat ' || st.number END,
                        'tierCode', t.tier_code, 'priceMinor', t.price_minor, 'status', t.status) ORDER BY s.position, st.row_label, st.number)
                      FROM tickets t JOIN sections s ON s.id = t.section_id LEFT JOIN seats st ON st.id = t.seat_id
                      WHERE t.order_id = o.id), '[]') AS tickets
     FROM orders o JOIN events e ON e.id = o.event_id
     WHERE o.user_id = $1 OR lower(o.email) = lower($2)
     ORDER BY o.created_at DESC, o.id
     LIMIT $3`,
    [user.userId, user.email, limit],
  );
  return rows;
}
