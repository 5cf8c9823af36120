/**
 * The admission pass's JWS and claim checks, synchronous over node:crypto. They are the checks
 * jose's jwtVerify makes with our options (algorithms [ES256], issuer, 2 s clock tolerance), made
 * in the same order so that a token wrong in several ways fails for the same reason as before:
 * header, `crit`/`b64`, alg, then (the caller resolves the key) signature, payload, claims. The
 * signature is one OpenSSL verify on this thread instead of WebCrypto's promise and thread-pool
 * hop, over a KeyObject made once per key: the API's largest cost per new pass.
 */
import { KeyObject, verify as verifySignatureBytes, type webcrypto } from 'node:crypto';
import { PASS_ALG, PASS_ISSUER, PassError } from './pass-error.js';

/** The clock tolerance, in seconds, on exp and nbf (jose's clockTolerance in the verifier before). */
export const PASS_CLOCK_TOLERANCE_S = 2;

export interface PassJws {
  /** the protected header, parsed */
  header: Record<string, unknown>;
  /** the three segments, as jose hands them to the key resolver */
  parts: { protected: string; payload: string; signature: string };
  /** `b64` of the header (false: an unencoded payload, which a JWT must not have) */
  b64: boolean;
}

const malformed = (): PassError => new PassError('malformed', 'the admission pass is not a valid token');
const badSignature = (): PassError => new PassError('bad_signature', 'the admission pass signature is not valid');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const NON_ASCII = /[\u0080-\uffff]/;

/** base64url as jose decodes it on Node 20 (atob after swapping the alphabet; no `+` or `/`). */
function decodeBase64url(value: string): Buffer {
  if (BASE64URL.test(value)) {
    // atob refuses a length of 4n + 1; Buffer would drop the stray character
    if (value.length % 4 === 1) throw malformed();
    return Buffer.from(value, 'base64url');
  }
  // padding or whitespace: rare, take jose's exact route
  if (value.includes('+') || value.includes('/')) throw malformed();
  try {
    return Buffer.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), 'latin1');
  } catch {
    throw malformed();
  }
}

/** A plain JSON object (jose's isObject: not an array, not null, a plain prototype). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function jsonObjectOf(bytes: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    throw malformed();
  }
  if (!isPlainObject(parsed)) throw malformed();
  return parsed;
}

/** `crit` and `b64` as jose checks them: only `b64` is a recognised extension, and it must be protected. */
function b64Of(header: Record<string, unknown>): boolean {
  const crit = header.crit;
  if (crit === undefined) return true;
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((p) => typeof p !== 'string' || p.length === 0)) throw malformed();
  for (const p of crit as string[]) {
    if (p !== 'b64' || !Object.hasOwn(header, p) || header[p] === undefined) throw malformed();
  }
  if (typeof header.b64 !== 'boolean') throw malformed();
  return header.b64;
}

/** Splits and checks everything up to the key: compact form, protected header, crit, alg. */
export function parsePassJws(token: string): PassJws {
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed();
  const [protectedB64, payload, signature] = parts as [string, string, string];
  const header = jsonObjectOf(decodeBase64url(protectedB64));
  const b64 = b64Of(header);
  if (header.alg !== PASS_ALG) throw malformed();
  // an unencoded payload is checked for ASCII before the key is looked up, as jose does
  if (!b64 && NON_ASCII.test(payload)) throw malformed();
  return { header, parts: { protected: protectedB64, payload, signature }, b64 };
}

const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

/**
 * The KeyObject of a key the JWKS resolved, made and checked once per key: jose hands back the
 * same CryptoKey until the JWKS is refetched, so a rotation or a retirement yields new keys here.
 */
export function keyObjectOf(key: webcrypto.CryptoKey): KeyObject {
  let obj = keyObjects.get(key);
  if (!obj) {
    obj = KeyObject.from(key);
    if (obj.type !== 'public' || obj.asymmetricKeyType !== 'ec' || obj.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw malformed();
    keyObjects.set(key, obj);
  }
  return obj;
}

/** The ES256 signature (JOSE's raw r‖s, IEEE P1363) over `<header>.<payload>`. */
export function verifyPassSignature(jws: PassJws, key: KeyObject): void {
  const { protected: protectedB64, payload, signature } = jws.parts;
  if (NON_ASCII.test(payload)) throw malformed();
  const signingInput = Buffer.from(`${protectedB64}.${payload}`, 'latin1');
  const sig = decodeBase64url(signature);
  let ok: boolean;
  try {
    ok = verifySignatureBytes('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    ok = false;
  }
  if (!ok) throw badSignature();
}

/**
 * The verified payload's claims: a JSON object, issuer, and iat / nbf / exp as jose checks them
 * (iat and nbf only when present; exp ≤ now − tolerance is expired, nbf > now + tolerance not yet valid).
 */
export function passPayloadOf(jws: PassJws, nowS = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const bytes = decodeBase64url(jws.parts.payload);
  // a JWT must not have an unencoded payload (checked after the signature, as jose does)
  if (!jws.b64) throw malformed();
  const claims = jsonObjectOf(bytes);
  if (!Object.hasOwn(claims, 'iss') || claims.iss !== PASS_ISSUER) throw malformed();
  const numeric = (name: string): number | undefined => {
    const v = claims[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number') throw malformed();
    return v;
  };
  numeric('iat');
  const nbf = numeric('nbf');
  if (nbf !== undefined && nbf > nowS + PASS_CLOCK_TOLERANCE_S) throw malformed();
  const exp = numeric('exp');
  if (exp !== undefined && exp <= nowS - PASS_CLOCK_TOLERANCE_S) throw new PassError('expired', 'the admission pass has expired');
  return claims;
}
