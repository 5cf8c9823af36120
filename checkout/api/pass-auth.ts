/**
 * Admission-pass authentication: `Authorization: Bearer <pass>` verified against the edge's JWKS
 * (signature, issuer, expiry), audience = the sale in the path (when the route has one), and the
 * pass's lease still active in Redis (a revoked pass fails even before its JWT expires).
 */
import type { MiddlewareHandler } from 'hono';
import { PassError, type PassVerifier } from '../../common/admission-pass.js';
import { leaseIsActive } from '../../common/pass-lease.js';
import type { RedisClient } from '../../common/redis-connection.js';
import type { ApiEnv } from './api-env.js';

export interface PassAuthOptions {
  verifier: PassVerifier;
  redis: RedisClient;
  /** Path parameter naming the sale the pass must be for; omit when the route checks it itself. */
  saleParam?: string;
  /** Require the lease to be active (taking seats); reading a hold only needs a genuine pass. */
  requireLease: boolean;
}

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

export function passAuth(options: PassAuthOptions): MiddlewareHandler<ApiEnv> {
  if (!options.verifier || !options.redis) throw new Error('passAuth needs a verifier and a Redis client');
  const { verifier, redis, saleParam, requireLease } = options;
  return async function passAuthentication(c, next) {
    const sale = saleParam ? c.req.param(saleParam) : undefined;
    const claims = await verifier.verify(bearer(c.req.header('authorization')), sale);
    if (requireLease && !(await leaseIsActive(redis, claims.saleId, claims.jti))) {
      throw new PassError('revoked', 'the admission pass is no longer active (its shopping window ended or it was used)');
    }
    c.set('pass', claims);
    await next();
  };
}
