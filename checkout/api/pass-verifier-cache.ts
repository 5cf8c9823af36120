/**
 * Remembers passes already verified, so a fan's every request does not pay an ES256 signature
 * check (the API's largest CPU cost per request). Expiry and audience are still checked on every
 * hit, and revocation never depended on the signature: passAuth reads the lease in Redis each time.
 */
import { PassError, type PassClaims, type PassVerifier } from '../../common/admission-pass.js';

export function cachedPassVerifier(inner: PassVerifier, maxEntries = 50_000): PassVerifier {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('cachedPassVerifier: maxEntries must be a positive integer');
  const verified = new Map<string, PassClaims>();
  return {
    async verify(token, saleId) {
      const hit = token ? verified.get(token) : undefined;
      if (!hit || !token) {
        const claims = await inner.verify(token, saleId);
        if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
        verified.set(token!, claims);
        return claims;
      }
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
