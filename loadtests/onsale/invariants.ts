/**
 * The end-of-run checks, from the records rather than from what the generator believes: the
 * inventory's full audit of Redis against Postgres, then our own cross-checks of every payment
 * against the orders and tickets, and of the fans' confirmed orders against each other.
 *
 *   oversold               places sold or taken beyond a section's capacity (Postgres and Redis)
 *   double_sold            seats with more than one live ticket, or in two fans' confirmed orders
 *   lost_paid_holds        payments the fan completed that ended neither in an order nor voided
 *   charged_without_ticket captured payments without a live order with tickets
 */
import type pg from 'pg';
import type { RedisClient } from '../../common/redis-connection.js';
import type { AuditReport } from '../../inventory/index.js';
import { createSeatInventory } from '../../inventory/index.js';
import { createDemoGateway } from '../../checkout/payments/demo-gateway.js';
import type { OrderedHold } from './fan-plan.js';

export interface Invariants {
  oversold: number;
  double_sold: number;
  lost_paid_holds: number;
  charged_without_ticket: number;
  /** Every SOLD place in Redis matches exactly one live ticket in Postgres (the audit's verdict). */
  sold_matches_tickets: boolean;
  audit: AuditReport;
  payments: Record<string, number>;
  orders: number;
  live_tickets: number;
  /** Human-readable reasons, one per broken invariant. */
  problems: string[];
  /** The first lost or wrongly charged payments, with every record's view of them. */
  suspects: { hold_id: string; payment_row: string; gateway: string; order: string | null; live_tickets: number; failure_reason: string | null; paid_by_client: boolean }[];
}

interface PaymentRow {
  payment_intent_id: string;
  hold_id: string;
  status: string;
  failure_reason: string | null;
  order_status: string | null;
  live_tickets: number;
}

export async function checkInvariants(pool: pg.Pool, redis: RedisClient, sale: { saleId: string; eventId: string }, client: { orders: OrderedHold[]; paid: string[] }): Promise<Invariants> {
  const problems: string[] = [];
  const audit = await createSeatInventory({ redis, pg: pool }).audit(sale.saleId);
  if (!audit.ok) problems.push(...audit.violations.slice(0, 20).map((v) => `audit: ${v}`));

  // oversold: per section in Postgres, and held+claimed+sold beyond capacity in Redis
  const perSection = await pool.query<{ name: string; capacity: number; live: string }>(
    `SELECT s.name, s.capacity, count(t.id) AS live
       FROM sections s JOIN events e ON e.venue_id = s.venue_id
       LEFT JOIN tickets t ON t.section_id = s.id AND t.event_id = e.id AND t.status = 'live'
      WHERE e.id = $1 GROUP BY s.id, s.name, s.capacity`,
    [sale.eventId],
  );
  let oversold = 0;
  for (const r of perSection.rows) oversold += Math.max(0, Number(r.live) - r.capacity);
  const t = audit.totals;
  oversold += Math.max(0, t.held + t.claimed + t.sold - t.capacity);
  oversold += audit.violations.filter((v) => /oversold|negative counter/.test(v)).length;
  if (oversold) problems.push(`oversold: ${oversold}`);

  // double sold: two live tickets on one seat, or one seat in two fans' confirmed orders
  const dup = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT seat_id FROM tickets WHERE event_id = $1 AND status = 'live' AND seat_id IS NOT NULL GROUP BY seat_id HAVING count(*) > 1) d`,
    [sale.eventId],
  );
  const owner = new Map<number, string>();
  let clientDup = 0;
  for (const o of client.orders) {
    for (const seat of o.seatIds) {
      if (owner.has(seat) && owner.get(seat) !== o.holdId) clientDup++;
      owner.set(seat, o.holdId);
    }
  }
  const double_sold = Number(dup.rows[0]?.n ?? 0) + clientDup + audit.violations.filter((v) => /two live|two holds/.test(v)).length;
  if (double_sold) problems.push(`double_sold: ${double_sold}`);

  // every payment against its order: the demo gateway's record is what the fan was charged
  const gateway = createDemoGateway(redis);
  const { rows } = await pool.query<PaymentRow>(
    `SELECT p.payment_intent_id, p.hold_id, p.status, p.failure_reason, o.status AS order_status,
            (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id AND t.status = 'live') AS live_tickets
       FROM payments p LEFT JOIN orders o ON o.id = p.hold_id WHERE p.sale_id = $1`,
    [sale.saleId],
  );
  const payments: Record<string, number> = {};
  let lost = 0;
  let chargedWithoutTicket = 0;
  const paidByClient = new Set(client.paid);
  const recorded = new Set<string>();
  const suspects: Invariants['suspects'] = [];
  for (const p of rows) {
    recorded.add(p.hold_id);
    const pi = await gateway.retrieve(p.payment_intent_id).catch(() => null);
    const charged: string = pi?.status ?? 'missing';
    payments[charged] = (payments[charged] ?? 0) + 1;
    const ticketed = p.order_status !== null && p.order_status !== 'cancelled' && p.live_tickets > 0;
    const voided = charged === 'cancelled' || charged === 'refunded';
    const paid = paidByClient.has(p.hold_id) || ['authorized', 'captured', 'refunded'].includes(charged);
    const isLost = paid && !ticketed && !voided;
    const isCharged = charged === 'captured' && !ticketed;
    if (isLost) lost++;
    if (isCharged) chargedWithoutTicket++;
    if ((isLost || isCharged) && suspects.length < 20) {
      suspects.push({ hold_id: p.hold_id, payment_row: p.status, gateway: charged, order: p.order_status, live_tickets: p.live_tickets, failure_reason: p.failure_reason, paid_by_client: paidByClient.has(p.hold_id) });
    }
  }
  // a payment the fan completed (202) that the API has no record of is lost too
  for (const holdId of paidByClient) {
    if (recorded.has(holdId)) continue;
    lost++;
    if (suspects.length < 20) suspects.push({ hold_id: holdId, payment_row: 'missing', gateway: 'unknown', order: null, live_tickets: 0, failure_reason: null, paid_by_client: true });
  }
  if (lost) problems.push(`lost_paid_holds: ${lost}`);
  if (chargedWithoutTicket) problems.push(`charged_without_ticket: ${chargedWithoutTicket}`);

  const orders = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE sale_id = $1 AND status <> 'cancelled'`, [sale.saleId]);
  const sold_matches_tickets = audit.ok && t.sold === t.liveTickets;
  if (!sold_matches_tickets && audit.ok) problems.push(`sold ${t.sold} in Redis ≠ ${t.liveTickets} live tickets`);
  return {
    oversold, double_sold, lost_paid_holds: lost, charged_without_ticket: chargedWithoutTicket, sold_matches_tickets, audit,
    payments, orders: Number(orders.rows[0]?.n ?? 0), live_tickets: t.liveTickets, problems, suspects,
  };
}
