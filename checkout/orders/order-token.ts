/**
 * Signed order tokens: the bearer credential in the confirmation link (and handed to the checkout
 * page at payment time). HS256 over the order id (= hold id) with a key derived from
 * AUTH_JWT_SECRET, so no extra secret is needed and rotating that secret revokes them too.
 */
import { createHmac } from 'node:crypto';
import { jwtVerify } from 'jose';

const ISSUER = 'usher-orders';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');

export interface OrderTokens {
  sign(orderId: string, ttlS?: number): Promise<string>;
  /** The order id the token is for, or null when it is not a valid order token. */
  verify(token: string): Promise<string | null>;
}

export function orderTokens(secret: string): OrderTokens {
  const raw = createHmac('sha256', secret).update('usher order tokens v1').digest();
  // imported once: handing jose the raw bytes re-imports the key on every verify
  const key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return {
    // signed with node:crypto directly (every confirmation e-mail signs one): a plain compact
    // HS256 JWT, which jose verifies below; several times cheaper than a WebCrypto sign job
    async sign(orderId, ttlS = 400 * 86_400) {
      const iat = Math.floor(Date.now() / 1000);
      const signed = `${HEADER}.${Buffer.from(JSON.stringify({ iss: ISSUER, sub: orderId, iat, exp: iat + ttlS })).toString('base64url')}`;
      return `${signed}.${createHmac('sha256', raw).update(signed).digest('base64url')}`;
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await key, { issuer: ISSUER, algorithms: ['HS256'] });
        return payload.sub ?? null;
      } catch {
        return null;
      }
    },
  };
}

