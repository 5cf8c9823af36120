/**
 * Why an admission pass was refused, and the pass's fixed JOSE parameters: shared by the verifier
 * (admission-pass.ts) and its JWS checks (pass-jws.ts), which the HTTP boundary maps to statuses.
 */
export const PASS_ISSUER = 'usher-edge';
export const PASS_ALG = 'ES256';

export type PassFailure = 'missing' | 'malformed' | 'expired' | 'bad_signature' | 'wrong_sale' | 'revoked' | 'revoked_by_operator' | 'keys_unavailable';

export class PassError extends Error {
  constructor(readonly reason: PassFailure, message: string) {
    super(message);
    this.name = 'PassError';
  }
}
