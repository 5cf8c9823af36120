import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { connectRedis, redisAnswers, type RedisClient } from './redis-connection.js';
import { createPgPool, postgresAnswers, type PgPool } from './postgres-pool.js';

/** The connections one process shares between the roles it runs. */
export interface AppContext {
  config: Config;
  log: Logger;
  redis: RedisClient;
  pg: PgPool;
  /** The read replica when DATABASE_REPLICA_URL is set, else the primary. */
  pgRead: PgPool;
  /** Every dependency answers: what `/readyz` reports. */
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, boolean>;
}

export interface AppContextOptions {
  /** The shared client auto-pipelines (redis-connection.ts): the API and worker processes. */
  autoPipelining?: boolean;
}

export function createAppContext(config: Config, log: Logger = createLogger(config.logLevel), options: AppContextOptions = {}): AppContext {
  // The process's shared client serves requests (API, edge): fail fast while Redis is down.
  const redis = connectRedis(config, { connectionName: 'usher', failFast: true, autoPipelining: options.autoPipelining ?? false });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  const pgPrimary = createPgPool(config, 'primary');
  const pgRead = config.postgres.replicaUrl ? createPgPool(config, 'replica') : pgPrimary;
  return {
    config,
    log,
    redis,
    pg: pgPrimary,
    pgRead,
    async readiness() {
      const [r, p] = await Promise.all([redisAnswers(redis), postgresAnswers(pgPrimary)]);
      return { ok: r && p, checks: { redis: r, postgres: p } };
    },
    async close() {
      redis.disconnect();
      await pgPrimary.end().catch(() => undefined);
      if (pgRead !== pgPrimary) await pgRead.end().catch(() => undefined);
    },
  };
}
