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
  /**
   * Every access token of the account issued before this second stops working (a password change
   * or reset, a deleted account): the sessions of other devices end now, not at their expiry.
   */
  denyAccountBefore(userId: string): Promise<void>;
  isDenied(token: string): Promise<boolean>;
}

/** Longer than any access token lives, so a marker outlasts every token it revokes. */
const ACCOUNT_MARKER_TTL_S = 86_400;

export function createAccessDenylist(redis: RedisClient, prefix = redisKeys.accessDenylistRoot): AccessDenylist {
  const key = (token: string): string => `${prefix}:${createHash('sha256').update(token).digest('base64url')}`;
  const accountKey = (userId: string): string => `${prefix}:account:{${userId}}`;
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
    async denyAccountBefore(userId) {
      await redis.set(accountKey(userId), String(Math.floor(Date.now() / 1000)), 'EX', ACCOUNT_MARKER_TTL_S);
    },
    async isDenied(token) {
      let claims: { sub?: string | undefined; iat?: number | undefined } = {};
      try {
        claims = decodeJwt(token);
      } catch {
        // not a JWT: only its own entry can say
      }
      // two single-key reads side by side (they may live on different Cluster slots)
      const [own, before] = await Promise.all([
        redis.exists(key(token)),
        claims.sub ? redis.get(accountKey(claims.sub)) : Promise.resolve(null),
      ]);
      if (own === 1) return true;
      // a token of the very second of the marker stays valid: the new session of the device that changed the password
      return before !== null && typeof claims.iat === 'number' && claims.iat < Number(before);
    },
  };
}
