/**
 * Admission-pass authentication: `Authorization: Bearer <pass>` verified against the edge's JWKS
 * (signature, issuer, expiry), audience = the sale in the path (when the route has one), the
 * pass's lease still active in Redis (a revoked pass fails even before its JWT expires), and the
 * per-pass rate limit. Lease and limit are one script on the sale's slot: one Redis round trip,
 * which also reads how many holds the pass has released (the holder of its next hold).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { PassError, type PassVerifier } from '../../admission/admission-pass.js';
import { bearerToken } from '../../common/bearer-token.js';
import { defineScripts } from '../../common/lua-script-loader.js';
import { leaseIsActive } from '../../admission/pass-lease.js';
import { passRevocation } from '../../admission/fan-actions.js';
import { queueKeys } from '../../admission/queue-keys.js';
import type { RedisClient } from '../../common/redis-connection.js';
import type { ApiEnv } from './api-env.js';
import { enforceLimit, rateLimitLuaDir } from './rate-limit.js';
import { redisKeys } from '../../common/redis-keys.js';

export interface PassAuthOptions {
  verifier: PassVerifier;
  redis: RedisClient;
  /** Path parameter naming the sale the pass must be for; omit when the route checks it itself. */
  saleParam?: string;
  /** Require the lease to be active (taking seats); reading a hold only needs a genuine pass. */
  requireLease: boolean;
  /** Requests one pass may make per minute on these routes (429 beyond); omit for no limit. */
  perMinute?: number;
  /**
   * Called once the signature is verified, in the same loop turn as the pass's Redis check: a
   * read the route needs anyway (the hold it names) started here leaves in the same auto-pipelined
   * write and comes back in the same round trip, instead of one more round trip after this one.
   * Its answer is the route's to use only once the pass has passed.
   */
  alongside?: (c: Context<ApiEnv>) => void;
}

const WINDOW_S = 60;

/** The per-pass request counter of one window, in the sale's slot (see passGate-2.lua). */
export function passCounterKey(saleId: string, jti: string, window: number): string {
  return redisKeys.passRateWindow(saleId, jti, window);
}

/**
 * The lease is gone: an operator's revocation (admission/fan-actions.ts) is a 403 that says so;
 * any other end (window over, used) stays the 401 it was. Read only on this failure path.
 */
async function revoked(redis: RedisClient, saleId: string, jti: string): Promise<PassError> {
  if (await passRevocation(redis, saleId, jti)) {
    return new PassError('revoked_by_operator', 'the organiser revoked this admission pass: it can no longer hold seats or check out');
  }
  return new PassError('revoked', 'the admission pass is no longer active (its shopping window ended or it was used)');
}

export function passAuth(options: PassAuthOptions): MiddlewareHandler<ApiEnv> {
  if (!options.verifier || !options.redis) throw new Error('passAuth needs a verifier and a Redis client');
  const { verifier, redis, saleParam, requireLease, perMinute, alongside } = options;
  if (perMinute !== undefined && (!Number.isInteger(perMinute) || perMinute < 1)) throw new Error('passAuth: perMinute must be a positive integer');
  if (perMinute !== undefined) defineScripts(redis, rateLimitLuaDir, { usherPassGate: 'passGate' });
  return async function passAuthentication(c, next) {
    const sale = saleParam ? c.req.param(saleParam) : undefined;
    const claims = await verifier.verify(bearerToken(c.req.header('authorization')), sale);
    if (perMinute !== undefined) {
      const now = Date.now();
      const window = Math.floor(now / 1000 / WINDOW_S);
      alongside?.(c);
      const [active, count, releases] = await redis.usherPassGate(
        queueKeys(claims.saleId).active, passCounterKey(claims.saleId, claims.jti, window), redisKeys.passReleases(claims.saleId, claims.jti), claims.jti, now, WINDOW_S,
      );
      if (requireLease && active !== 1) throw await revoked(redis, claims.saleId, claims.jti);
      enforceLimit(c, 'pass', perMinute, WINDOW_S, count);
      c.set('passReleases', releases);
    } else {
      alongside?.(c);
      if (requireLease && !(await leaseIsActive(redis, claims.saleId, claims.jti))) throw await revoked(redis, claims.saleId, claims.jti);
    }
    c.set('pass', claims);
    await next();
  };
}
