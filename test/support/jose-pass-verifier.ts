/**
 * The admission-pass verifier as it was before pass-jws.ts: every check by jose's jwtVerify
 * (WebCrypto), its errors mapped to the same reasons. Kept as the reference the synchronous
 * verifier is tested against (admission/pass-jws.unit.test.ts), never used by product code.
 */
import { createLocalJWKSet, errors, jwtVerify, type JWK } from 'jose';
import { PASS_ALG, PASS_ISSUER, PassError, type PassVerifier } from '../../admission/admission-pass.js';

export function josePassVerifier(jwks: { keys: JWK[] }): PassVerifier {
  const getKey = createLocalJWKSet(jwks);
  return {
    async verify(token, saleId) {
      if (!token) throw new PassError('missing', 'an admission pass is required (Authorization: Bearer <pass>)');
      let payload;
      try {
        ({ payload } = await jwtVerify(token, getKey, { issuer: PASS_ISSUER, algorithms: [PASS_ALG], clockTolerance: 2 }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw new PassError('expired', 'the admission pass has expired');
        if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) {
          throw new PassError('bad_signature', 'the admission pass signature is not valid');
        }
        if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
          throw new PassError('keys_unavailable', 'the admission-pass keys cannot be fetched right now; retry shortly');
        }
        throw new PassError('malformed', 'the admission pass is not a valid token');
      }
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      if (!aud || !payload.sub || !payload.jti || !payload.exp) throw new PassError('malformed', 'the admission pass lacks required claims');
      if (saleId !== undefined && aud !== saleId) throw new PassError('wrong_sale', 'the admission pass is for another sale');
      const tp = typeof payload.tp === 'string' && payload.tp.length <= 128 ? { traceparent: payload.tp } : {};
      return { saleId: aud, visitorId: payload.sub, jti: payload.jti, exp: payload.exp, ...tp };
    },
  };
}
