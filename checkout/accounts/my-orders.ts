/**
 * A fan's orders with their tickets: those placed while logged in (user id), and those bought as a
 * guest with the account's e-mail — before or after the account existed — once the account has
 * verified that address (users.email_verified_at). Without that step anyone registering a fan's
 * address would read the fan's orders; the same rule decides whether an account token may open or
 * cancel one order (checkout/orders/order-routes.ts).
 */
import { z } from 'zod';
import type { PgPool } from '../../common/postgres-pool.js';

const uuid = z.uuid();

/** Orders `o` an account ($1, its id) owns: its own, or guest orders with its verified address. */
const OWNED_BY_ACCOUNT = `(o.user_id = $1 OR lower(o.email) = (SELECT lower(u.email) FROM users u WHERE u.id = $1 AND u.email_verified_at IS NOT NULL))`;

export interface MyOrder {
  id: string;
  number: string;
  status: string;
  amountMinor: number;
  currency: string;
  createdAt: string;
  cancelledAt: string | null;
  refund: { status: string; amountMinor: number } | null;
  event: { id: string; title: string; startsAt: string; venueName: string; city: string; status: string };
  tickets: { id: string; section: string; label: string; tierCode: string; priceMinor: number; status: string }[];
}

export async function listMyOrders(pool: PgPool, userId: string, limit = 200): Promise<MyOrder[]> {
  // an identity without a user row (not a uuid) owns nothing
  if (!uuid.safeParse(userId).success) return [];
  const { rows } = await pool.query<MyOrder>(
    `SELECT o.id, o.number, o.status, o.amount_minor AS "amountMinor", o.currency, o.created_at AS "createdAt", o.cancelled_at AS "cancelledAt",
            (SELECT json_build_object('status', r.status, 'amountMinor', r.amount_minor) FROM refunds r WHERE r.order_id = o.id) AS refund,
            json_build_object('id', e.id, 'title', e.title, 'startsAt', e.starts_at, 'venueName', e.venue_name, 'city', e.city, 'status', e.status) AS event,
            coalesce((SELECT json_agg(json_build_object(
                        'id', t.id, 'section', s.name,
                        'label', CASE WHEN st.id IS NULL THEN s.name ELSE s.name || ', row ' || st.row_label || ', seat ' || st.number END,
                        'tierCode', t.tier_code, 'priceMinor', t.price_minor, 'status', t.status) ORDER BY s.position, st.row_label, st.number)
                      FROM tickets t JOIN sections s ON s.id = t.section_id LEFT JOIN seats st ON st.id = t.seat_id
                      WHERE t.order_id = o.id), '[]') AS tickets
     FROM orders o JOIN events e ON e.id = o.event_id
     WHERE ${OWNED_BY_ACCOUNT}
     ORDER BY o.created_at DESC, o.id
     LIMIT $2`,
    [userId, limit],
  );
  return rows;
}

/**
 * Whether the account may read and cancel this order with its access token: the same rule as the
 * list, given the order's e-mail (an order still being paid for has no orders row yet, only its
 * payment's e-mail).
 */
export async function accountOwnsOrder(pool: PgPool, userId: string, order: { orderId: string; email: string }): Promise<boolean> {
  if (!uuid.safeParse(userId).success) return false;
  const { rowCount } = await pool.query(
    `SELECT 1 FROM users u
     WHERE u.id = $1 AND ((u.email_verified_at IS NOT NULL AND lower(u.email) = lower($3))
                          OR EXISTS (SELECT 1 FROM orders o WHERE o.id = $2 AND o.user_id = u.id))`,
    [userId, order.orderId, order.email]);
  return rowCount === 1;
}
