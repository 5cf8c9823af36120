/**
 * Revoked access tokens. Access JWTs are stateless and short-lived; logging out puts the presented
 * token's hash in Redis until its own expiry, so it stops working everywhere at once.
 */
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { RedisClient } from '../common/redis-connection.js';
import { redisKeys } from '../common/redis-keys.js';

export interface AccessDenylist {
  deny(token: string): Promise<void>;
  isDenied(token: string): Promise<boolean>;
}

export function createAccessDenylist(redis: RedisClient, prefix = redisKeys.accessDenylistRoot): AccessDenylist {
  const key = (token: string): string => `${prefix}:${createHash('sha256').update(token).digest('base64url')}`;
  return {
    async deny(token) {
      let exp: number | undefined;
      try {
        exp = decodeJwt(token).exp;
      } catch {
        return; // not a JWT: nothing that could be accepted anyway
      }
      const ttlMs = (exp ?? 0) * 1000 - Date.now();
      if (ttlMs > 0) await redis.set(key(token), '1', 'PX', ttlMs);
    },
    async isDenied(token) {
      return (await redis.exists(key(token))) === 1;
    },
  };
}
