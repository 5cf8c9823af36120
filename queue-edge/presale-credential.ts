/**
 * What a joining fan brings for a presale (admission/sale-access.ts), made ready for join-15.lua,
 * which decides atomically whether it admits them and spends it. An access code becomes its salted
 * digest. An enqueue token is verified here (jose): signed by a key of the JWKS the organiser
 * registered for the sale (asymmetric algorithms only, so an unsigned or HMAC token is refused),
 * `aud` the sale id, with `exp` and `jti`. A token that fails is passed on as 'refused' with the
 * reason: only the script knows whether the fan is a newcomer in a presale who needs it.
 */
import { createLocalJWKSet, jwtVerify, errors, type JWTVerifyGetKey, type JSONWebKeySet } from 'jose';
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys } from '../admission/queue-keys.js';
import { accessCodeDigest } from '../admission/sale-access.js';

export type PresaleCredential =
  | { kind: 'none' }
  | { kind: 'code'; digest: string }
  | { kind: 'token'; jti: string; expMs: number }
  | { kind: 'refused'; code: 'enqueue_token_invalid' | 'enqueue_token_expired' };

export const NO_CREDENTIAL: PresaleCredential = { kind: 'none' };

/** Algorithms an organiser may sign with: public-key ones only. */
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
/** A registration (or its withdrawal) reaches every edge within this long. */
const JWKS_CACHE_MS = 5000;

export interface PresaleCredentials {
  of(saleId: string, brought: { accessCode?: string | undefined; enqueueToken?: string | undefined }): Promise<PresaleCredential>;
}

export function presaleCredentials(redis: RedisClient): PresaleCredentials {
  const keysets = new Map<string, { until: number; keys: JWTVerifyGetKey | null }>();

  async function keysOf(saleId: string): Promise<JWTVerifyGetKey | null> {
    const cached = keysets.get(saleId);
    if (cached && cached.until > Date.now()) return cached.keys;
    const raw = await redis.hget(queueKeys(saleId).settings, 'enqueue_jwks');
    const keys = raw ? createLocalJWKSet(JSON.parse(raw) as JSONWebKeySet) : null;
    keysets.set(saleId, { until: Date.now() + JWKS_CACHE_MS, keys });
    return keys;
  }

  async function verify(saleId: string, token: string): Promise<PresaleCredential> {
    const keys = await keysOf(saleId);
    if (!keys) return { kind: 'refused', code: 'enqueue_token_invalid' };
    try {
      const { payload } = await jwtVerify(token, keys, { algorithms: ALGORITHMS, audience: saleId, requiredClaims: ['exp', 'jti'] });
      return { kind: 'token', jti: String(payload.jti), expMs: payload.exp! * 1000 };
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { kind: 'refused', code: 'enqueue_token_expired' };
      return { kind: 'refused', code: 'enqueue_token_invalid' };
    }
  }

  return {
    async of(saleId, brought) {
      if (brought.enqueueToken) return verify(saleId, brought.enqueueToken);
      if (brought.accessCode) return { kind: 'code', digest: accessCodeDigest(saleId, brought.accessCode) };
      return NO_CREDENTIAL;
    },
  };
}

/** join-15.lua's ARGV[5..7]. */
export function credentialArgs(c: PresaleCredential): [string, string, string] {
  switch (c.kind) {
    case 'none': return ['', '', '0'];
    case 'code': return ['code', c.digest, '0'];
    case 'token': return ['token', c.jti, String(c.expMs)];
    case 'refused': return ['refused', c.code, '0'];
  }
}
