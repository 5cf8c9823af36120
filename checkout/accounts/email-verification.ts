/**
 * The account side of e-mail verification: whether an account's address is verified, and
 * confirming it with the claims of a valid link. Confirming is one conditional UPDATE — the
 * account, the very address the link was sent to, not yet verified — and only when it changes
 * no row is the account read again to say why.
 */
import { z } from 'zod';
import type { PgPool } from '../../common/postgres-pool.js';
import type { VerificationClaims } from './email-verification-token.js';

const uuid = z.uuid();

export interface EmailStatus {
  email: string;
  emailVerified: boolean;
  emailVerifiedAt: string | null;
}

export type ConfirmOutcome =
  | { ok: true; status: EmailStatus }
  | { ok: false; reason: 'no_account' | 'email_changed' | 'already_verified' };

/** The account's current address and its verification, or null when there is no such account. */
export async function emailStatus(pg: PgPool, userId: string): Promise<EmailStatus | null> {
  if (!uuid.safeParse(userId).success) return null;
  const { rows } = await pg.query<{ email: string; verified_at: Date | null }>(
    'SELECT email, email_verified_at AS verified_at FROM users WHERE id = $1', [userId]);
  const row = rows[0];
  return row ? { email: row.email, emailVerified: row.verified_at !== null, emailVerifiedAt: row.verified_at?.toISOString() ?? null } : null;
}

export async function confirmEmail(pg: PgPool, claims: VerificationClaims): Promise<ConfirmOutcome> {
  if (!uuid.safeParse(claims.userId).success) return { ok: false, reason: 'no_account' };
  const { rows } = await pg.query<{ email: string; verified_at: Date }>(
    `UPDATE users SET email_verified_at = now()
     WHERE id = $1 AND lower(email) = lower($2) AND email_verified_at IS NULL
     RETURNING email, email_verified_at AS verified_at`,
    [claims.userId, claims.email]);
  const updated = rows[0];
  if (updated) return { ok: true, status: { email: updated.email, emailVerified: true, emailVerifiedAt: updated.verified_at.toISOString() } };
  const now = await emailStatus(pg, claims.userId);
  if (!now) return { ok: false, reason: 'no_account' };
  // The address first: a link for a former address must not read as "already verified".
  if (now.email.toLowerCase() !== claims.email.toLowerCase()) return { ok: false, reason: 'email_changed' };
  return { ok: false, reason: 'already_verified' };
}
