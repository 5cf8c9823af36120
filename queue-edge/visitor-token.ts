/**
 * Visitor tokens: an HS256 JWT (jose) naming a random visitor id, issued on the first visit and kept
 * by the page. The id is the fan's one place in every queue; a forged or expired token is refused.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';
import type { Config } from '../common/config.js';
import type { RedisClient } from '../common/redis-connection.js';
import type { Logger } from '../common/logger.js';
import { sharedDevSecret } from '../common/dev-secrets.js';

const ISSUER = 'usher-edge-visitor';
/** A week: long enough to survive a browser restart during a long queue. */
export const VISITOR_TOKEN_TTL_S = 7 * 24 * 3600;

export class VisitorTokenError extends Error {
  constructor(readonly reason: 'missing' | 'invalid' | 'expired') {
    super(reason === 'expired' ? 'the visitor token has expired' : reason === 'missing' ? 'a visitor token is required' : 'the visitor token is not valid');
    this.name = 'VisitorTokenError';
  }
}

export interface VisitorTokens {
  issue(visitorId?: string, ttlS?: number): Promise<{ token: string; visitorId: string }>;
  verify(token: string | undefined): Promise<string>;
}

export function visitorTokens(secret: string): VisitorTokens {
  // Imported into WebCrypto once: given the raw secret, jose imports it again on every verify,
  // which more than doubles the CPU and the garbage of each join (~26 KB -> ~11 KB per verify).
  const imported = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return {
    async issue(visitorId = randomUUID(), ttlS = VISITOR_TOKEN_TTL_S) {
      const key = await imported;
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setSubject(visitorId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
        .sign(key);
      return { token, visitorId };
    },
    async verify(token) {
      if (!token) throw new VisitorTokenError('missing');
      const key = await imported;
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'] });
        if (!payload.sub || !/^[0-9a-f-]{36}$/.test(payload.sub)) throw new VisitorTokenError('invalid');
        return payload.sub;
      } catch (err) {
        if (err instanceof VisitorTokenError) throw err;
        if (err instanceof errors.JWTExpired) throw new VisitorTokenError('expired');
        throw new VisitorTokenError('invalid');
      }
    },
  };
}

export async function loadVisitorTokens(config: Config, redis: RedisClient, log?: Logger): Promise<VisitorTokens> {
  return visitorTokens(config.secrets.visitorTokenSecret ?? (await sharedDevSecret(redis, 'visitor-token', undefined, log)));
}
