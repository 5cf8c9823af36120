/**
 * Signed order tokens: the bearer credential in the confirmation link (and handed to the checkout
 * page at payment time). HS256 over the order id (= hold id) with a key derived from
 * AUTH_JWT_SECRET, so no extra secret is needed and rotating that secret revokes them too.
 */
import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { AppContext } from '../../common/app-context.js';
import { sharedDevSecret } from '../../common/dev-secrets.js';

const ISSUER = 'usher-orders';

export interface OrderTokens {
  sign(orderId: string, ttlS?: number): Promise<string>;
  /** The order id the token is for, or null when it is not a valid order token. */
  verify(token: string): Promise<string | null>;
}

export function orderTokens(secret: string): OrderTokens {
  const key = createHmac('sha256', secret).update('usher order tokens v1').digest();
  return {
    sign(orderId, ttlS = 400 * 86_400) {
      return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setSubject(orderId)
        .setIssuedAt().setExpirationTime(Math.floor(Date.now() / 1000) + ttlS).sign(key);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'] });
        return payload.sub ?? null;
      } catch {
        return null;
      }
    },
  };
}

export async function loadOrderTokens(ctx: AppContext): Promise<OrderTokens> {
  return orderTokens(ctx.config.secrets.authJwtSecret ?? (await sharedDevSecret(ctx.redis, 'auth-jwt', undefined, ctx.log)));
}
