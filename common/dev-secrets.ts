/**
 * Outside production a missing secret is generated once and shared through Redis, so that every
 * process of a demo (edges, API, workers) agrees on it without configuration. Production refuses
 * to start without the real ones (see config.ts).
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis-connection.js';
import type { Logger } from './logger.js';
import { redisKeys } from './redis-keys.js';

export async function sharedDevSecret(
  redis: RedisClient,
  name: string,
  make: () => Promise<string> | string = () => randomBytes(32).toString('base64url'),
  log?: Logger,
): Promise<string> {
  const key = redisKeys.devSecret(name);
  const existing = await redis.get(key);
  if (existing) return existing;
  const candidate = await make();
  // NX: the first process to get here wins; everyone reads the winner's value.
  await redis.set(key, candidate, 'NX');
  const value = (await redis.get(key)) ?? candidate;
  log?.warn({ secret: name }, 'using a generated development secret shared through Redis; set it in the environment for production');
  return value;
}
