/**
 * `Idempotency-Key` for unsafe requests: the same key with the same request replays the first
 * answer; the same key with a different request is a 422; a concurrent duplicate waits for the
 * first to finish (then replays it) instead of running twice. Keys are scoped per caller (the
 * admission pass, else the client address) so two fans can never collide.
 *
 * Answers of 5xx are not remembered: the request failed on our side and may be retried.
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { Problem } from '../../common/problem.js';
import type { RedisClient } from '../../common/redis-connection.js';
import type { ApiEnv } from './api-env.js';
import { CheckoutError } from '../checkout-errors.js';
import { redisKeys } from '../../common/redis-keys.js';

export const idempotencyKeyHeader = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 visible ASCII characters');

export interface IdempotencyOptions {
  redis: RedisClient;
  /** Whose key space this request uses. */
  scope: (c: Context<ApiEnv>) => string;
  ttlS?: number;
  /** How long a duplicate waits for the original before answering 409. */
  waitMs?: number;
}

interface Stored {
  fingerprint: string;
  state: 'pending' | 'done';
  status?: number;
  contentType?: string;
  body?: string;
}

export function idempotencyKey(options: IdempotencyOptions): MiddlewareHandler<ApiEnv> {
  const { redis, scope, ttlS = 86_400, waitMs = 10_000 } = options;
  if (ttlS < 60) throw new Error('idempotencyKey: ttlS must be at least 60');
  return async function idempotentRequest(c, next) {
    const raw = c.req.header('idempotency-key');
    if (raw === undefined) return next();
    const parsed = idempotencyKeyHeader.safeParse(raw);
    if (!parsed.success) throw new Problem(400, 'validation_failed', parsed.error.issues[0]?.message ?? 'bad Idempotency-Key');
    const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${await c.req.text()}`).digest('hex');
    const key = redisKeys.idempotency(scope(c), createHash('sha256').update(parsed.data).digest('hex').slice(0, 32));

    const claimed = await redis.set(key, JSON.stringify({ fingerprint, state: 'pending' } satisfies Stored), 'EX', 120, 'NX');
    if (claimed !== 'OK') return replay(c, key, fingerprint);
    try {
      await next();
    } catch (err) {
      await redis.del(key);
      throw err;
    }
    if (c.res.status >= 500) {
      await redis.del(key);
      return;
    }
    const stored: Stored = { fingerprint, state: 'done', status: c.res.status, contentType: c.res.headers.get('content-type') ?? 'application/json', body: await c.res.clone().text() };
    await redis.set(key, JSON.stringify(stored), 'EX', ttlS);
  };

  async function replay(c: Context<ApiEnv>, key: string, fingerprint: string): Promise<Response> {
    const deadline = Date.now() + waitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const raw = await redis.get(key);
      const stored = raw ? (JSON.parse(raw) as Stored) : undefined;
      if (stored && stored.fingerprint !== fingerprint) {
        throw new CheckoutError('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      }
      if (stored?.state === 'done') {
        return new Response(stored.body ?? '', { status: stored.status ?? 200, headers: { 'content-type': stored.contentType ?? 'application/json', 'idempotent-replayed': 'true' } });
      }
      // the original failed (key deleted): let the client retry rather than guess
      if (!stored || Date.now() > deadline) throw new CheckoutError('idempotency_in_progress', 'a request with this Idempotency-Key is still being processed; retry shortly');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
