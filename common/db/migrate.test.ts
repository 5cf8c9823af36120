import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { migrate, loadMigrations } from './migrate.js';
import { emptyDatabase, freshDatabase, type FreshDatabase } from '../../test/support/databases.js';
import { seedSale } from '../../scripts/seed-sale.js';

describe('migrations', () => {
  it('apply on an empty database, and re-applying is a no-op', async () => {
    const db = await emptyDatabase();
    try {
      const all = await loadMigrations();
      expect(await migrate(db.url)).toEqual(all.map((m) => m.name));
      expect(await migrate(db.url)).toEqual([]);
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0].n).toBe(all.length);
    } finally {
      await db.drop();
    }
  });

  it('two concurrent migrators apply each migration exactly once', async () => {
    const db = await emptyDatabase();
    try {
      const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
      const all = (await loadMigrations()).map((m) => m.name);
      expect(results.flat().sort()).toEqual([...all].sort());
      expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    } finally {
      await db.drop();
    }
  });
});

describe('schema constraints', () => {
  let db: FreshDatabase;
  let sale: Awaited<ReturnType<typeof seedSale>>;
  beforeAll(async () => {
    db = await freshDatabase();
    sale = await seedSale(db.pool, {
      key: 'constraints',
      sections: [{ name: 'S', kind: 'reserved', rows: 1, seatsPerRow: 2, tierCode: 'T' }],
      tiers: [{ code: 'T', name: 'T', priceMinor: 1000 }],
    });
  });
  afterAll(() => db.drop());

  const order = (id: string, amount = 1000, status = 'committed') =>
    db.pool.query(
      `INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
       VALUES ($1, $2, $3, 'fan@example.com', $4, $5, 'EUR', $6)`,
      [id, sale.saleId, sale.eventId, `pi_${id}`, amount, status],
    );

  it('rejects a negative amount', async () => {
    await expect(order('hold-negative', -1)).rejects.toMatchObject({ code: '23514' });
  });

  it('rejects an unknown status', async () => {
    await expect(order('hold-status', 1000, 'maybe')).rejects.toMatchObject({ code: '23514' });
  });

  it('rejects a second live ticket for one seat, and allows it once the first is void', async () => {
    await order('hold-one');
    await order('hold-two');
    const { rows } = await db.pool.query<{ id: number }>('SELECT id FROM seats ORDER BY id LIMIT 1');
    const seat = rows[0]!.id;
    const ticket = (orderId: string) =>
      db.pool.query(
        `INSERT INTO tickets (id, order_id, event_id, section_id, seat_id, tier_code, price_minor) VALUES ($1, $2, $3, $4, $5, 'T', 1000) RETURNING id`,
        [randomUUID(), orderId, sale.eventId, sale.sectionIds.S, seat],
      );
    const first = await ticket('hold-one');
    await expect(ticket('hold-two')).rejects.toMatchObject({ code: '23505' });
    await db.pool.query(`UPDATE tickets SET status = 'void', voided_at = now() WHERE id = $1`, [first.rows[0].id]);
    await expect(ticket('hold-two')).resolves.toBeTruthy();
  });

  it('rejects a second order for the same payment intent and a second refund of one order', async () => {
    await order('hold-pi-1');
    await expect(
      db.pool.query(
        `INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
         VALUES ('hold-pi-2', $1, $2, 'fan@example.com', 'pi_hold-pi-1', 1, 'EUR', 'committed')`,
        [sale.saleId, sale.eventId],
      ),
    ).rejects.toMatchObject({ code: '23505' });
    const refund = () =>
      db.pool.query(`INSERT INTO refunds (order_id, payment_intent_id, amount_minor, status) VALUES ('hold-pi-1', 'pi_hold-pi-1', 1000, 'pending')`);
    await refund();
    await expect(refund()).rejects.toMatchObject({ code: '23505' });
  });

  it('rejects a sale that closes before it opens', async () => {
    await expect(
      db.pool.query(
        `INSERT INTO sales (event_id, prequeue_opens_at, opens_at, closes_at, admission_rate_per_min, max_active_shoppers)
         VALUES ($1, now(), now() + interval '1 hour', now(), 100, 10)`,
        [sale.eventId],
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('seeding the same sale twice adds no seats', async () => {
    const before = await db.pool.query('SELECT count(*)::int AS n FROM seats');
    await seedSale(db.pool, {
      key: 'constraints',
      sections: [{ name: 'S', kind: 'reserved', rows: 1, seatsPerRow: 2, tierCode: 'T' }],
      tiers: [{ code: 'T', name: 'T', priceMinor: 1000 }],
    });
    const after = await db.pool.query('SELECT count(*)::int AS n FROM seats');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});
