/**
 * The naive Postgres inventories the Redis inventory is compared with, at the same concurrency:
 * (1) one row per section, `UPDATE … SET available = available - n WHERE available >= n` plus a
 * hold row, in one statement; (2) one row per seat, taken with `FOR UPDATE SKIP LOCKED`.
 */
import type pg from 'pg';

export async function setupPgInventories(pool: pg.Pool, sections: number, seatsPerSection: number): Promise<void> {
  await pool.query(`
    DROP TABLE IF EXISTS bench_inv_sections, bench_inv_holds, bench_inv_seats;
    CREATE TABLE bench_inv_sections (id int PRIMARY KEY, available int NOT NULL);
    CREATE TABLE bench_inv_holds (id bigserial PRIMARY KEY, section int NOT NULL, quantity int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE bench_inv_seats (id bigserial PRIMARY KEY, section int NOT NULL, status char(1) NOT NULL DEFAULT 'F', hold_id text);
    CREATE INDEX bench_inv_seats_free ON bench_inv_seats (section, id) WHERE status = 'F';`);
  await pool.query(`INSERT INTO bench_inv_sections SELECT s, $2 FROM generate_series(1, $1) s`, [sections, seatsPerSection]);
  await pool.query(`INSERT INTO bench_inv_seats (section) SELECT s FROM generate_series(1, $1) s, generate_series(1, $2)`, [sections, seatsPerSection]);
  await pool.query('ANALYZE');
}

/** One hold on the row-per-section inventory; true when it got its places. */
export async function pgRowHold(pool: pg.Pool, section: number, quantity: number): Promise<boolean> {
  const r = await pool.query(
    `WITH u AS (UPDATE bench_inv_sections SET available = available - $2 WHERE id = $1 AND available >= $2 RETURNING id)
     INSERT INTO bench_inv_holds (section, quantity) SELECT id, $2 FROM u`,
    [section, quantity],
  );
  return r.rowCount === 1;
}

/** One hold on the seat-row inventory: all n seats or none (the transaction rolls back). */
export async function pgSkipLockedHold(pool: pg.Pool, section: number, quantity: number, holdId: string): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const r = await client.query(
      `UPDATE bench_inv_seats SET status = 'H', hold_id = $3
        WHERE id IN (SELECT id FROM bench_inv_seats WHERE section = $1 AND status = 'F' ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [section, quantity, holdId],
    );
    const ok = r.rowCount === quantity;
    await client.query(ok ? 'COMMIT' : 'ROLLBACK');
    return ok;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Oversold sections and seats held twice in the Postgres inventories (both must be 0). */
export async function pgViolations(pool: pg.Pool): Promise<{ oversold: number; doubleSold: number }> {
  const o = await pool.query(`SELECT count(*)::int AS n FROM bench_inv_sections WHERE available < 0`);
  // a seat row has one hold id by construction; count holds whose seat count disagrees instead
  const d = await pool.query(`SELECT count(*)::int AS n FROM (SELECT hold_id FROM bench_inv_seats WHERE hold_id IS NOT NULL GROUP BY hold_id HAVING count(*) <> 2) x`);
  return { oversold: o.rows[0].n, doubleSold: d.rows[0].n };
}
