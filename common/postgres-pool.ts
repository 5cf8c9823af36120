import pg from 'pg';
import type { Config } from './config.js';
import { tracePg } from './traced-clients.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

// bigint counts come back as strings by default; every amount we store fits in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPgPool(config: Pick<Config, 'postgres'>, which: 'primary' | 'replica' = 'primary'): PgPool {
  const url = which === 'replica' ? (config.postgres.replicaUrl ?? config.postgres.url) : config.postgres.url;
  const pool = new pg.Pool({
    connectionString: url,
    max: config.postgres.poolMax,
    // bounds both the wait for a free connection when all `max` are busy (common/dependency-busy.ts
    // turns that into a 503 with Retry-After) and the connecting of a new one
    connectionTimeoutMillis: config.postgres.acquireTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'usher',
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return tracePg(pool);
}

export async function postgresAnswers(pool: PgPool, timeoutMs = 1000): Promise<boolean> {
  try {
    await Promise.race([
      pool.query('SELECT 1'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('postgres timeout')), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` in one transaction; rolls back and rethrows on any error. */
export async function inTransaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
