/** Per-test-file resources against the suite's real servers: a fresh database, Redis clients. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';

export interface FreshDatabase {
  url: string;
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = new URL(inject('databaseUrl'));
  url.pathname = '/postgres';
  return url.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** An empty database with no schema (for migration tests). */
export async function emptyDatabase(): Promise<FreshDatabase> {
  return createDatabase(undefined);
}

/** A migrated database, cloned from the suite's template: about 100 ms. */
export async function freshDatabase(): Promise<FreshDatabase> {
  return createDatabase(inject('templateDatabase'));
}

async function createDatabase(template: string | undefined): Promise<FreshDatabase> {
  const name = `usher_t_${randomBytes(6).toString('hex')}`;
  await admin(async (c) => {
    // CREATE DATABASE … TEMPLATE fails while another session uses the template; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 20 });
  // drop() terminates idle clients (57P01); that must not surface as an unhandled error.
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    name,
    pool,
    async drop() {
      await pool.end();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export function redisUrl(): string {
  return inject('redisUrl');
}

export function newRedis(): Redis {
  return new Redis(inject('redisUrl'), { maxRetriesPerRequest: 3 });
}

/** A unique id for keys of one test, so test files never see each other's data. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/**
 * A fresh database and one Redis client for a test file, handed to `use` before its tests run;
 * the client is closed and the database dropped after them.
 */
export function useFreshDatabaseAndRedis(use: (db: FreshDatabase, redis: Redis) => void): void {
  let db: FreshDatabase | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    db = await freshDatabase();
    redis = newRedis();
    use(db, redis);
  });
  afterAll(async () => {
    redis?.disconnect();
    await db?.drop();
  });
}
