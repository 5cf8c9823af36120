/**
 * Deleting an account against real PostgreSQL: the organiser keeps the orders, tickets, payments
 * and refunds, but nothing there names the person any more; every session ends; and every foreign
 * key to users(id) in the schema is one the deletion knows how to handle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSale, type SeededSale } from '../../scripts/seed-sale.js';
import { uniqueId } from '../../test/support/databases.js';
import { apiHarness, bearer, json, type ApiHarness } from '../../test/support/api-test-context.js';
import { ERASED_EMAIL } from './account-deletion.js';
import { accountsRoutes } from './accounts-module.js';

let h: ApiHarness;
let sale: SeededSale;

beforeAll(async () => {
  h = await apiHarness([(s) => accountsRoutes(s)]);
  sale = await seedSale(h.db.pool, {
    key: uniqueId('erase'), sections: [{ name: 'Floor', kind: 'ga', capacity: 20, tierCode: 'GA' }], tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }],
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const PASSWORD = 'correct horse battery';
interface Session { accessToken: string; refreshToken: string; user: { id: string; email: string } }

async function register(email: string): Promise<Session> {
  const res = await h.app.request('/v1/auth/register', json({ email, password: PASSWORD }));
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

async function order(email: string, userId: string | null): Promise<string> {
  const id = uniqueId('order-');
  await h.db.pool.query(
    `INSERT INTO payments (payment_intent_id, hold_id, gateway, amount_minor, currency, status, sale_id, email, user_id)
     VALUES ($1, $1, 'demo', 4500, 'EUR', 'captured', $2, $3, $4)`, [`pi-${id}`, sale.saleId, email, userId]);
  await h.db.pool.query(
    `INSERT INTO orders (id, sale_id, event_id, user_id, email, payment_intent_id, amount_minor, currency, status)
     VALUES ($1, $2, $3, $4, $5, $6, 4500, 'EUR', 'confirmed')`, [id, sale.saleId, sale.eventId, userId, email, `pi-${id}`]);
  await h.db.pool.query(`UPDATE payments SET order_id = $1 WHERE payment_intent_id = $2`, [id, `pi-${id}`]);
  await h.db.pool.query(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor) VALUES ($1, $2, $3, 'GA', 4500)`, [id, sale.eventId, sale.sectionIds.Floor]);
  await h.db.pool.query(
    `INSERT INTO notifications (order_id, kind, recipient, subject, body, transport) VALUES ($1, 'confirmation', $2, 'Your tickets', $3, 'recorded')`,
    [id, email, `Hello ${email}, here are your tickets`]);
  return id;
}

describe('deleting an account', () => {
  it('keeps the orders for the organiser without the person, and ends every session', async () => {
    const email = `${uniqueId('gone')}@example.com`;
    const s = await register(email);
    await h.db.pool.query(`UPDATE users SET email_verified_at = now(), display_name = 'Gone Soon', phone = '+441234567890' WHERE id = $1`, [s.user.id]);
    const own = await order('checkout-typo@example.com', s.user.id);
    const guest = await order(email.toUpperCase(), null);
    const stranger = await order('someone-else@example.com', null);
    await h.db.pool.query(
      `INSERT INTO hold_prices (hold_id, sale_id, user_id, email, breakdown, total_minor, currency)
       VALUES ($1, $2, $3, $4, '{"totalMinor": 4500}', 4500, 'EUR')`, [own, sale.saleId, s.user.id, email]);
    const code = await h.db.pool.query<{ id: string }>(
      `INSERT INTO promo_codes (code, organiser_id, kind, value, max_uses) VALUES ($1, $2, 'percent', 1000, 5) RETURNING id`,
      [uniqueId('GONE').toUpperCase().replace(/[^A-Z0-9_-]/g, '').slice(0, 32), s.user.id]);

    expect((await h.app.request('/v1/me', { ...json({ password: 'not the password' }, bearer(s.accessToken)), method: 'DELETE' })).status).toBe(403);
    const res = await h.app.request('/v1/me', { ...json({ password: PASSWORD }, bearer(s.accessToken)), method: 'DELETE' });
    expect(res.status).toBe(204);

    expect((await h.db.pool.query('SELECT 1 FROM users WHERE id = $1', [s.user.id])).rowCount).toBe(0);
    const kept = await h.db.pool.query(`SELECT id, user_id, email, status, amount_minor FROM orders WHERE id = ANY($1) ORDER BY id`, [[own, guest]]);
    expect(kept.rows).toHaveLength(2);
    for (const row of kept.rows) expect(row).toMatchObject({ user_id: null, email: ERASED_EMAIL, status: 'confirmed', amount_minor: 4500 });
    expect((await h.db.pool.query(`SELECT count(*)::int AS n FROM tickets WHERE order_id = ANY($1)`, [[own, guest]])).rows[0].n).toBe(2);
    const payments = await h.db.pool.query(`SELECT user_id, email, amount_minor FROM payments WHERE order_id = ANY($1)`, [[own, guest]]);
    for (const row of payments.rows) expect(row).toMatchObject({ user_id: null, email: ERASED_EMAIL, amount_minor: 4500 });
    // nothing anywhere still names the person
    const traces = await h.db.pool.query(
      `SELECT (SELECT count(*) FROM orders WHERE lower(email) = lower($1) OR email = 'checkout-typo@example.com')
            + (SELECT count(*) FROM payments WHERE lower(email) = lower($1) OR user_id = $2)
            + (SELECT count(*) FROM notifications WHERE body ILIKE '%' || $1 || '%' OR lower(recipient) = lower($1))
            + (SELECT count(*) FROM refresh_tokens WHERE user_id = $2)
            + (SELECT count(*) FROM account_mails WHERE user_id = $2)
            + (SELECT count(*) FROM hold_prices WHERE lower(email) = lower($1) OR user_id = $2) AS n`, [email, s.user.id]);
    expect(Number(traces.rows[0].n)).toBe(0);
    // the organiser's code is kept on record, switched off
    expect((await h.db.pool.query('SELECT organiser_id, disabled FROM promo_codes WHERE id = $1', [code.rows[0]!.id])).rows[0]).toEqual({ organiser_id: null, disabled: true });
    // someone else's order is untouched
    expect((await h.db.pool.query('SELECT email FROM orders WHERE id = $1', [stranger])).rows[0].email).toBe('someone-else@example.com');

    // the session is over: the access token and the refresh token
    expect((await h.app.request('/v1/me', { headers: bearer(s.accessToken) })).status).toBe(401);
    expect((await h.app.request('/v1/auth/refresh', json({ refreshToken: s.refreshToken }))).status).toBe(401);
    // and the address is free again
    expect((await h.app.request('/v1/auth/register', json({ email, password: PASSWORD }))).status).toBe(201);
  });

  it('an unverified account takes its own orders only, not guest orders of the address it claimed', async () => {
    const email = `${uniqueId('claimed')}@example.com`;
    const guest = await order(email, null);
    const s = await register(email);
    expect((await h.app.request('/v1/me', { ...json({ password: PASSWORD }, bearer(s.accessToken)), method: 'DELETE' })).status).toBe(204);
    expect((await h.db.pool.query('SELECT email FROM orders WHERE id = $1', [guest])).rows[0].email).toBe(email);
  });

  it('knows every foreign key to users(id): each cascades or is anonymised by the deletion', async () => {
    // (table, column) pairs the deletion sets to NULL itself; everything else must cascade
    // SET NULL alone is not enough where the row names the person otherwise (hold_prices.email):
    // each entry here is a column deleteAccount clears or re-homes itself, or (events.organiser_id)
    // one whose SET NULL is all it takes
    const anonymised = new Set(['orders.user_id', 'payments.user_id', 'hold_prices.user_id', 'promo_codes.organiser_id', 'events.organiser_id']);
    const { rows } = await h.db.pool.query<{ tbl: string; col: string; on_delete: string }>(
      `SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confdeltype AS on_delete
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
       WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass ORDER BY 1, 2`);
    const unknown = rows.filter((r) => !anonymised.has(`${r.tbl}.${r.col}`) && r.on_delete !== 'c');
    expect(unknown, 'a table references users(id) without ON DELETE CASCADE and deleteAccount does not anonymise it').toEqual([]);
  });
});
