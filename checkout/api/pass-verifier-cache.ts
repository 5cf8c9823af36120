/**
 * Remembers passes already verified, so a fan's every request does not pay an ES256 signature
 * check (the API's largest CPU cost per request). Expiry and audience are still checked on every
 * hit, and revocation never depended on the signature: passAuth reads the lease in Redis each time.
 * A hit older than `reverifyAfterMs` (PASS_JWKS_MAX_AGE_S) is verified again, so a pass whose key
 * was retired stops working here as soon as it does against a freshly fetched JWKS.
 */
import { PassError, type PassClaims, type PassVerifier } from '../../admission/admission-pass.js';

export interface PassVerifierCacheOptions {
  maxEntries?: number;
  /** verify a cached pass again after this long (ms) */
  reverifyAfterMs?: number;
}

export function cachedPassVerifier(inner: PassVerifier, { maxEntries = 50_000, reverifyAfterMs = 60_000 }: PassVerifierCacheOptions = {}): PassVerifier {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('cachedPassVerifier: maxEntries must be a positive integer');
  if (!(reverifyAfterMs > 0)) throw new Error('cachedPassVerifier: reverifyAfterMs must be positive');
  const verified = new Map<string, { claims: PassClaims; at: number }>();
  return {
    async verify(token, saleId) {
      const entry = token ? verified.get(token) : undefined;
      if (!entry || !token || Date.now() - entry.at >= reverifyAfterMs) {
        if (token) verified.delete(token);
        const claims = await inner.verify(token, saleId);
        if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
        verified.set(token!, { claims, at: Date.now() });
        return claims;
      }
      const hit = entry.claims;
      // the same checks jose made, on the cached claims (2 s clock tolerance like passVerifier)
      if (hit.exp * 1000 + 2000 <= Date.now()) {
        verified.delete(token);
        throw new PassError('expired', 'the admission pass has expired');
      }
      if (saleId !== undefined && hit.saleId !== saleId) throw new PassError('wrong_sale', 'the admission pass is for another sale');
      return hit;
    },
  };
}
