/** usher_order_number (migration 0010): short, readable, never repeated, not in sale order. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../test/support/databases.js';

let db: FreshDatabase;
beforeAll(async () => void (db = await freshDatabase()));
afterAll(async () => db?.drop());

describe('order numbers', () => {
  it('are distinct over the first 100,000 orders and over the last ones of the range (a bijection)', async () => {
    const { rows: [r] } = await db.pool.query<{ n: number; distinct: number; well_formed: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT x)::int AS distinct, count(*) FILTER (WHERE x ~ '^USH-[0-9A-HJKMNP-TV-Z]{6}$')::int AS well_formed
       FROM (SELECT usher_order_number(g) AS x FROM generate_series(0, 99999) g
             UNION ALL SELECT usher_order_number(g) FROM generate_series(1073741823 - 19999, 1073741823) g) s`,
    );
    expect(r).toEqual({ n: 120_000, distinct: 120_000, well_formed: 120_000 });
  });

  it('do not count up: consecutive orders share no long prefix', async () => {
    const { rows } = await db.pool.query<{ x: string }>('SELECT usher_order_number(g) AS x FROM generate_series(1000, 1009) g');
    const prefixes = new Set(rows.map((r) => r.x.slice(0, 7)));
    expect(prefixes.size).toBeGreaterThan(5);
  });

  it('refuse a value out of the 30-bit range rather than repeat one', async () => {
    await expect(db.pool.query('SELECT usher_order_number(1073741824)')).rejects.toThrow(/out of range/);
    await expect(db.pool.query('SELECT usher_order_number(-1)')).rejects.toThrow(/out of range/);
  });
});
