/**
 * The admission pass: a short-lived ES256 JWT naming sale (aud), visitor (sub), a unique jti and
 * expiry, signed by the edge with a key identified by `kid`. The API verifies it against the edge's
 * JWKS. Keys rotate without a restart: the keyset lives in Redis (pass-keyset*.ts), every edge
 * re-reads it (pass-keyring.ts) and publishes a new key before it signs with it, the old one until
 * its passes have expired; `npm run pass-keys` is the operator's command.
 */
import { randomUUID } from 'node:crypto';
import type { KeyObject, webcrypto } from 'node:crypto';
import {
  SignJWT, exportJWK, generateKeyPair, importJWK, createLocalJWKSet, createRemoteJWKSet, errors,
  type JWK, type JWTVerifyGetKey, type CryptoKey, type JWTPayload, type CompactJWSHeaderParameters,
} from 'jose';
import { PASS_ALG, PASS_ISSUER, PassError } from './pass-error.js';
import { keyObjectOf, parsePassJws, passPayloadOf, verifyPassSignature, type PassJws } from './pass-jws.js';

export { PASS_ALG, PASS_ISSUER, PassError, type PassFailure } from './pass-error.js';
const ALG = PASS_ALG;

export interface PassClaims {
  saleId: string;
  visitorId: string;
  jti: string;
  /** seconds since the epoch */
  exp: number;
  /**
   * W3C traceparent of the fan's admission on the edge (`tp` claim, only when the edge traces):
   * how the API puts the fan's requests, payment and commit in the trace their join began.
   */
  traceparent?: string;
}

export interface PassToSign {
  saleId: string;
  visitorId: string;
  ttlS: number;
  jti?: string;
  /** the `tp` claim (PassClaims.traceparent) */
  traceparent?: string;
}

export interface PassSigningKeys {
  /** Public JWKS to serve at /.well-known/jwks.json (read it each time: it changes with rotations). */
  readonly publicJwks: { keys: JWK[] };
  sign(claims: PassToSign): Promise<{ token: string; claims: PassClaims }>;
  /** Stops refreshing (a fixed key set has nothing to stop). */
  close(): void;
}

export async function generatePassJwks(kid = `pass-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`): Promise<{ keys: JWK[] }> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { keys: [{ ...jwk, kid, alg: ALG, use: 'sig' }] };
}

/** Signs one pass with `key` (its `kid` in the header). */
export async function signPass(key: CryptoKey, kid: string, { saleId, visitorId, ttlS, jti = randomUUID(), traceparent }: PassToSign): Promise<{ token: string; claims: PassClaims }> {
  const exp = Math.floor(Date.now() / 1000) + ttlS;
  const token = await new SignJWT(traceparent ? { tp: traceparent } : {})
    .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
    .setIssuer(PASS_ISSUER)
    .setAudience(saleId)
    .setSubject(visitorId)
    .setJti(jti)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);
  return { token, claims: { saleId, visitorId, jti, exp, ...(traceparent ? { traceparent } : {}) } };
}

/** A fixed signer from a private JWKS (JSON): the first key signs, every key is published. Tests and benchmarks. */
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
    sign: (claims) => signPass(signingKey, signer.kid!, claims),
    close: () => undefined,
  };
}

export interface PassVerifier {
  /** Verifies signature, issuer, expiry and that the pass is for `saleId` (when given). */
  verify(token: string | undefined, saleId?: string): Promise<PassClaims>;
}

export interface RemoteJwks {
  jwksUrl: string;
  /** PASS_JWKS_MAX_AGE_S in ms: refetch after this, so a retired key stops verifying within it */
  maxAgeMs?: number;
}

/** fetch() failing to connect (TypeError 'fetch failed'), or the JWKS endpoint answering other than 200. */
function isFetchFailure(err: unknown): boolean {
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return true;
  return err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set HTTP response/.test(err.message);
}

/** A failure to resolve the pass's key from the JWKS, as the reason the fan is told. */
export function keyLookupFailure(err: unknown): PassError {
  if (err instanceof PassError) return err;
  if (err instanceof errors.JWKSNoMatchingKey) return new PassError('bad_signature', 'the admission pass signature is not valid');
  // the edges' JWKS could not be had: our outage, not a bad pass (the fan may retry)
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || isFetchFailure(err)) {
    return new PassError('keys_unavailable', 'the admission-pass keys cannot be fetched right now; retry shortly');
  }
  return new PassError('malformed', 'the admission pass is not a valid token');
}

/** At most one refetch per this long on unknown kids: a flood of forged kids costs one JWKS GET per window. */
export const UNKNOWN_KID_COOLDOWN_MS = 5_000;

/**
 * A verifier over a JWKS: remote (the edge's endpoint) or local. The remote set is cached for
 * `maxAgeMs` and refetched at once on a kid it does not know (jose createRemoteJWKSet), at most once
 * per cooldown; the cooldown is short (jose's default is 30 s) so a pass signed by a just-activated key
 * verifies within seconds even if the copy was fetched just before the key was published — the
 * rotation's activation delay (scripts/pass-keys-cli.ts) covers refresh + cooldown.
 */
export function passVerifier(source: RemoteJwks | { jwks: { keys: JWK[] } }): PassVerifier {
  let getKey: JWTVerifyGetKey;
  let remote: { readonly fresh: boolean; readonly coolingDown: boolean } | undefined;
  if ('jwksUrl' in source) {
    const cacheMaxAge = source.maxAgeMs ?? 60_000;
    const set = createRemoteJWKSet(new URL(source.jwksUrl), { cacheMaxAge, cooldownDuration: Math.min(UNKNOWN_KID_COOLDOWN_MS, cacheMaxAge) });
    [getKey, remote] = [set, set];
  } else {
    getKey = createLocalJWKSet(source.jwks);
  }
  // kid → the key jose resolved for it from its current copy of the JWKS. jose replaces that copy
  // only inside a lookup (max age passed, or an unknown kid past the cooldown), so the map is
  // emptied after every lookup that could have done so and is not used once the copy is stale:
  // a hit answers what jose would, without its promise.
  const byKid = new Map<string, KeyObject>();
  const known = (kid: unknown): KeyObject | undefined => (typeof kid === 'string' && (!remote || remote.fresh) ? byKid.get(kid) : undefined);
  async function lookUp(jws: PassJws): Promise<KeyObject> {
    const mayRefetch = remote !== undefined && (!remote.fresh || !remote.coolingDown);
    try {
      const key = keyObjectOf((await getKey(jws.header as CompactJWSHeaderParameters, jws.parts)) as webcrypto.CryptoKey);
      if (mayRefetch) byKid.clear();
      if (typeof jws.header.kid === 'string') byKid.set(jws.header.kid, key);
      return key;
    } catch (err) {
      if (mayRefetch) byKid.clear();
      throw keyLookupFailure(err);
    }
  }
  return {
    async verify(token, saleId) {
      if (!token) throw new PassError('missing', 'an admission pass is required (Authorization: Bearer <pass>)');
      // jose resolves the key (kid, rotation, refetch on an unknown kid); node:crypto checks the rest in this turn (pass-jws.ts)
      const jws = parsePassJws(token);
      verifyPassSignature(jws, known(jws.header.kid) ?? (await lookUp(jws)));
      const payload = passPayloadOf(jws) as JWTPayload;
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      if (!aud || !payload.sub || !payload.jti || !payload.exp) throw new PassError('malformed', 'the admission pass lacks required claims');
      if (saleId !== undefined && aud !== saleId) throw new PassError('wrong_sale', 'the admission pass is for another sale');
      const tp = typeof payload.tp === 'string' && payload.tp.length <= 128 ? { traceparent: payload.tp } : {};
      return { saleId: aud, visitorId: payload.sub, jti: payload.jti, exp: payload.exp, ...tp };
    },
  };
}
