/**
 * The admission pass: a short-lived ES256 JWT naming sale (aud), visitor (sub), a unique jti and
 * expiry, signed by the edge with a key identified by `kid`. The API verifies it against the edge's
 * JWKS, so keys rotate without a restart: publish the new key in PASS_SIGNING_JWKS first (it signs),
 * keep the old one listed until its passes have expired.
 */
import { randomUUID } from 'node:crypto';
import {
  SignJWT, jwtVerify, exportJWK, generateKeyPair, importJWK, createLocalJWKSet, createRemoteJWKSet, errors,
  type JWK, type JWTVerifyGetKey, type CryptoKey,
} from 'jose';
import type { Config } from './config.js';
import type { RedisClient } from './redis-connection.js';
import type { Logger } from './logger.js';
import { sharedDevSecret } from './dev-secrets.js';

export const PASS_ISSUER = 'usher-edge';
const ALG = 'ES256';

export interface PassClaims {
  saleId: string;
  visitorId: string;
  jti: string;
  /** seconds since the epoch */
  exp: number;
}

export interface PassSigningKeys {
  /** Public JWKS to serve at /.well-known/jwks.json. */
  publicJwks: { keys: JWK[] };
  sign(claims: { saleId: string; visitorId: string; ttlS: number; jti?: string }): Promise<{ token: string; claims: PassClaims }>;
}

export async function generatePassJwks(kid = `pass-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`): Promise<{ keys: JWK[] }> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { keys: [{ ...jwk, kid, alg: ALG, use: 'sig' }] };
}

/** Builds the signer from a private JWKS (JSON): the first key signs, every key is published. */
export async function passSigningKeys(privateJwksJson: string): Promise<PassSigningKeys> {
  const parsed = JSON.parse(privateJwksJson) as { keys?: JWK[] };
  const keys = parsed.keys ?? [];
  if (keys.length === 0 || keys.some((k) => !k.kid || k.kty !== 'EC' || !k.d)) {
    throw new Error('PASS_SIGNING_JWKS must be {"keys":[…]} of private EC P-256 JWKs, each with a kid');
  }
  const signer = keys[0]!;
  const signingKey = (await importJWK(signer, ALG)) as CryptoKey;
  const publicJwks = { keys: keys.map(({ d: _d, ...pub }) => ({ ...pub, alg: ALG, use: 'sig' })) };
  return {
    publicJwks,
    async sign({ saleId, visitorId, ttlS, jti = randomUUID() }) {
      const exp = Math.floor(Date.now() / 1000) + ttlS;
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: ALG, kid: signer.kid!, typ: 'JWT' })
        .setIssuer(PASS_ISSUER)
        .setAudience(saleId)
        .setSubject(visitorId)
        .setJti(jti)
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(signingKey);
      return { token, claims: { saleId, visitorId, jti, exp } };
    },
  };
}

/** The signer of this deployment: PASS_SIGNING_JWKS, or outside production a key shared via Redis. */
export async function loadPassSigningKeys(config: Config, redis: RedisClient, log?: Logger): Promise<PassSigningKeys> {
  const jwks = config.secrets.passSigningJwks ?? (await sharedDevSecret(redis, 'pass-jwks', async () => JSON.stringify(await generatePassJwks()), log));
  return passSigningKeys(jwks);
}

export type PassFailure = 'missing' | 'malformed' | 'expired' | 'bad_signature' | 'wrong_sale' | 'revoked';

export class PassError extends Error {
  constructor(readonly reason: PassFailure, message: string) {
    super(message);
    this.name = 'PassError';
  }
}

export interface PassVerifier {
  /** Verifies signature, issuer, expiry and that the pass is for `saleId` (when given). */
  verify(token: string | undefined, saleId?: string): Promise<PassClaims>;
}

/** A verifier over a JWKS: remote (the edge's endpoint, cached, refetched on an unknown kid) or local. */
export function passVerifier(source: { jwksUrl: string } | { jwks: { keys: JWK[] } }): PassVerifier {
  const getKey: JWTVerifyGetKey =
    'jwksUrl' in source
      ? createRemoteJWKSet(new URL(source.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
      : createLocalJWKSet(source.jwks);
  return {
    async verify(token, saleId) {
      if (!token) throw new PassError('missing', 'an admission pass is required (Authorization: Bearer <pass>)');
      let payload;
      try {
        ({ payload } = await jwtVerify(token, getKey, { issuer: PASS_ISSUER, algorithms: [ALG], clockTolerance: 2 }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw new PassError('expired', 'the admission pass has expired');
        if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) {
          throw new PassError('bad_signature', 'the admission pass signature is not valid');
        }
        throw new PassError('malformed', 'the admission pass is not a valid token');
      }
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      if (!aud || !payload.sub || !payload.jti || !payload.exp) throw new PassError('malformed', 'the admission pass lacks required claims');
      if (saleId !== undefined && aud !== saleId) throw new PassError('wrong_sale', 'the admission pass is for another sale');
      return { saleId: aud, visitorId: payload.sub, jti: payload.jti, exp: payload.exp };
    },
  };
}
