/**
 * E-mail verification tokens: the credential in the mailed link.
 *
 * A signed JWT (jose, HS256), not a random token stored hashed, because nothing about it needs to
 * be looked up or revoked: it proves one fact — whoever holds it received mail at `email` for
 * account `sub` — and verifying is idempotent, so a replay can only repeat that same fact (the
 * second use answers "already verified" and changes nothing). That leaves no table to write on
 * every resend and nothing to clean up, and the expiry is in the token, so an expired link is
 * told apart from a forged one (410 vs 400).
 *
 * Single purpose: the key is derived from AUTH_JWT_SECRET for this use only (as order tokens do),
 * so it can never pass as an access or order token, nor they as this; it also carries its own
 * `typ`, issuer and audience. Bound to the user id AND the address it was sent to: confirming
 * checks both against the account, so a link for an old address cannot verify a new one.
 */
import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';

export const EMAIL_VERIFICATION_TTL_S = 24 * 3600;
const ISSUER = 'usher-api';
/**
 * 'verification' proves the account's current address; 'change' proves the new address a change
 * of e-mail waits for (users.pending_email). Each has its own key, audience and typ, so a link of
 * one kind never passes as the other.
 */
export type AddressPurpose = 'verification' | 'change';
const PURPOSES = {
  verification: { derive: 'usher email verification v1', audience: 'usher:email-verification', typ: 'usher-email-verification+jwt' },
  change: { derive: 'usher email change v1', audience: 'usher:email-change', typ: 'usher-email-change+jwt' },
} as const;
/** Base64url header.payload.signature: the shape is checked before any crypto (400 otherwise). */
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}$/;

export interface VerificationClaims {
  userId: string;
  email: string;
}

export class VerificationTokenError extends Error {
  constructor(readonly reason: 'invalid' | 'expired', message: string) {
    super(message);
    this.name = 'VerificationTokenError';
  }
}

export interface EmailVerificationTokens {
  sign(claims: VerificationClaims, ttlS?: number): Promise<string>;
  /** The claims of a valid token; throws VerificationTokenError otherwise. */
  verify(token: string): Promise<VerificationClaims>;
}

export function emailVerificationTokens(secret: string, purpose: AddressPurpose = 'verification'): EmailVerificationTokens {
  const { derive, audience: AUDIENCE, typ: TYP } = PURPOSES[purpose];
  const key = createHmac('sha256', secret).update(derive).digest();
  return {
    sign({ userId, email }, ttlS = EMAIL_VERIFICATION_TTL_S) {
      return new SignJWT({ email })
        .setProtectedHeader({ alg: 'HS256', typ: TYP })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
        .sign(key);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, typ: TYP, algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] });
        if (!payload.sub || typeof payload.email !== 'string') throw new VerificationTokenError('invalid', 'the verification token lacks claims');
        return { userId: payload.sub, email: payload.email };
      } catch (err) {
        if (err instanceof VerificationTokenError) throw err;
        if (err instanceof errors.JWTExpired) throw new VerificationTokenError('expired', 'this verification link has expired; ask for a new one');
        throw new VerificationTokenError('invalid', 'this verification link is not valid');
      }
    },
  };
}
