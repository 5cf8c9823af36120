/**
 * Failed-login limiter in Redis, shared by every API process: fixed windows counting failures
 * per (e-mail, client address) — a guesser at one address — and per e-mail — a guesser spread
 * over many addresses, with a higher ceiling so one address cannot lock a fan out alone.
 * Checked before the password is verified, so a blocked guesser learns nothing.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../../common/redis-connection.js';

export interface LoginLimits {
  perEmailAndIp: number;
  perEmail: number;
  windowS: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perEmailAndIp: 5, perEmail: 20, windowS: 900 };

export interface LoginRateLimiter {
  /** Seconds until the next attempt is allowed, or 0. */
  blockedFor(email: string, ip: string): Promise<number>;
  recordFailure(email: string, ip: string): Promise<void>;
  recordSuccess(email: string, ip: string): Promise<void>;
}

export function createLoginRateLimiter(redis: RedisClient, limits: LoginLimits = DEFAULT_LOGIN_LIMITS, prefix = 'usher:auth:fail'): LoginRateLimiter {
  if (!(limits.perEmailAndIp > 0 && limits.perEmail >= limits.perEmailAndIp && limits.windowS > 0)) throw new Error('invalid login limits');
  const digest = (s: string): string => createHash('sha256').update(s.toLowerCase()).digest('base64url').slice(0, 22);
  // Each key is its own slot (no multi-key commands), so this works on Redis Cluster too.
  const keys = (email: string, ip: string): [string, number][] => [
    [`${prefix}:{${digest(email)}}:${digest(ip)}`, limits.perEmailAndIp],
    [`${prefix}:{${digest(email)}}`, limits.perEmail],
  ];
  return {
    async blockedFor(email, ip) {
      let wait = 0;
      for (const [key, max] of keys(email, ip)) {
        const count = Number((await redis.get(key)) ?? 0);
        if (count >= max) wait = Math.max(wait, Math.ceil(Math.max(await redis.pttl(key), 1000) / 1000));
      }
      return wait;
    },
    async recordFailure(email, ip) {
      for (const [key] of keys(email, ip)) {
        const count = await redis.incr(key);
        // The window starts at the first failure.
        if (count === 1) await redis.expire(key, limits.windowS);
        else if ((await redis.ttl(key)) < 0) await redis.expire(key, limits.windowS);
      }
    },
    async recordSuccess(email, ip) {
      // The address-specific count resets; the per-e-mail count keeps running against spread guessing.
      await redis.del(keys(email, ip)[0]![0]);
    },
  };
}
