/**
 * Account access tokens: short-lived HS256 JWTs (jose) carrying the user id and role. Issued by the
 * API's accounts routes; verified by the API and by the edge's operator controls. Refresh tokens
 * are opaque, rotated and stored hashed in Postgres (checkout/accounts).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';
import type { Config } from '../common/config.js';
import type { RedisClient } from '../common/redis-connection.js';
import type { Logger } from '../common/logger.js';
import { sharedDevSecret } from '../common/dev-secrets.js';

export const ACCESS_ISSUER = 'usher-api';
export type Role = 'fan' | 'admin';

export interface AccessClaims {
  userId: string;
  email: string;
  role: Role;
}

export class AccessTokenError extends Error {
  constructor(readonly reason: 'missing' | 'invalid' | 'expired', message: string) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

export interface AccessTokens {
  sign(claims: AccessClaims, ttlS?: number): Promise<string>;
  verify(token: string | undefined): Promise<AccessClaims>;
}

export function accessTokens(secret: string): AccessTokens {
  const key = new TextEncoder().encode(secret);
  return {
    sign({ userId, email, role }, ttlS = 900) {
      return new SignJWT({ email, role })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ACCESS_ISSUER)
        .setSubject(userId)
        // a unique id: two tokens issued in the same second must differ, or revoking one revokes both
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
        .sign(key);
    },
    async verify(token) {
      if (!token) throw new AccessTokenError('missing', 'authentication required (Authorization: Bearer <access token>)');
      try {
        // jose checks `exp` only when present: a token without one would never expire
        const { payload } = await jwtVerify(token, key, { issuer: ACCESS_ISSUER, algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
        const role = payload.role === 'admin' ? 'admin' : 'fan';
        if (!payload.sub || typeof payload.email !== 'string') throw new AccessTokenError('invalid', 'access token lacks claims');
        return { userId: payload.sub, email: payload.email, role };
      } catch (err) {
        if (err instanceof AccessTokenError) throw err;
        if (err instanceof errors.JWTExpired) throw new AccessTokenError('expired', 'the access token has expired');
        throw new AccessTokenError('invalid', 'the access token is not valid');
      }
    },
  };
}

export async function loadAccessTokens(config: Config, redis: RedisClient, log?: Logger): Promise<AccessTokens> {
  return accessTokens(config.secrets.authJwtSecret ?? (await sharedDevSecret(redis, 'auth-jwt', undefined, log)));
}

/** The static ADMIN_API_TOKEN, compared in constant time; never matches when none is configured. */
export function isOperatorToken(bearer: string | undefined, adminApiToken: string | undefined): boolean {
  if (!bearer || !adminApiToken) return false;
  const a = Buffer.from(bearer);
  const b = Buffer.from(adminApiToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
