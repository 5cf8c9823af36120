/**
 * Changing what proves the account is yours: the password (knowing the current one), a forgotten
 * password (by a mailed single-use link), and the e-mail address (the new one takes effect only
 * when the link mailed to it is opened). Each change that could follow a stolen session revokes
 * every refresh token of the account: other devices must log in again.
 */
import type { PgClient, PgPool } from '../../common/postgres-pool.js';
import { inTransaction } from '../../common/postgres-pool.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { hashToken } from './refresh-tokens.js';
import type { VerificationClaims } from './email-verification-token.js';

/** Every live refresh token of the account (every session but none in particular). */
export async function revokeAllRefreshTokens(db: PgPool | PgClient, userId: string): Promise<number> {
  const { rowCount } = await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  return rowCount ?? 0;
}

export type PasswordCheck = 'ok' | 'wrong_password' | 'no_account';

/** Whether `password` is the account's; an account without one (OpenID Connect only) passes with none. */
export async function checkPassword(db: PgPool | PgClient, userId: string, password: string | undefined, lock = false): Promise<PasswordCheck> {
  const { rows } = await db.query<{ password_hash: string | null }>(`SELECT password_hash FROM users WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [userId]);
  const row = rows[0];
  if (!row) return 'no_account';
  if (row.password_hash === null) return 'ok';
  if (password === undefined || !(await verifyPassword(password, row.password_hash))) return 'wrong_password';
  return 'ok';
}

export async function changePassword(pool: PgPool, userId: string, current: string | undefined, next: string): Promise<PasswordCheck> {
  const hash = await hashPassword(next);
  return inTransaction(pool, async (client) => {
    const check = await checkPassword(client, userId, current, true);
    if (check !== 'ok') return check;
    await client.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [userId, hash]);
    // an open reset link must not undo the change
    await client.query('UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [userId]);
    await revokeAllRefreshTokens(client, userId);
    return 'ok';
  });
}

/**
 * Redeems a reset token once: the conditional UPDATE of `used_at` lets exactly one of any number
 * of concurrent requests through; the new password, the other open tokens and every session
 * change in the same transaction. Null: unknown, used or expired (one answer for all three).
 */
export async function resetPassword(pool: PgPool, token: string, next: string): Promise<{ userId: string; email: string } | null> {
  const hash = await hashPassword(next);
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ user_id: string }>(
      `UPDATE password_resets SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`, [hashToken(token)]);
    const userId = rows[0]?.user_id;
    if (!userId) return null;
    const user = await client.query<{ email: string }>('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1 RETURNING email', [userId, hash]);
    await client.query('UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [userId]);
    await revokeAllRefreshTokens(client, userId);
    return { userId, email: user.rows[0]!.email };
  });
}

export type EmailChangeRequest = { ok: true } | { ok: false; reason: PasswordCheck | 'same_email' | 'email_taken' };

/** Records the address the account waits for; the caller mails it the link. */
export async function requestEmailChange(pool: PgPool, userId: string, password: string | undefined, email: string): Promise<EmailChangeRequest> {
  return inTransaction(pool, async (client): Promise<EmailChangeRequest> => {
    const check = await checkPassword(client, userId, password, true);
    if (check !== 'ok') return { ok: false, reason: check };
    const taken = await client.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = lower($1)', [email]);
    if (taken.rows[0]?.id === userId) return { ok: false, reason: 'same_email' };
    if (taken.rows[0]) return { ok: false, reason: 'email_taken' };
    await client.query('UPDATE users SET pending_email = $2, updated_at = now() WHERE id = $1', [userId, email]);
    return { ok: true };
  });
}

export type EmailChangeOutcome = { ok: true; email: string } | { ok: false; reason: 'not_pending' | 'email_taken' };

/**
 * The link's address becomes the account's, verified, if it is still the one the account waits
 * for. Reset links sent to the old address stop working. A unique violation means another account
 * took the address meanwhile.
 */
export async function confirmEmailChange(pool: PgPool, claims: VerificationClaims): Promise<EmailChangeOutcome> {
  try {
    return await inTransaction(pool, async (client): Promise<EmailChangeOutcome> => {
      const { rows } = await client.query<{ email: string }>(
        `UPDATE users SET email = pending_email, pending_email = NULL, email_verified_at = now(), updated_at = now()
         WHERE id = $1 AND lower(pending_email) = lower($2) RETURNING email`, [claims.userId, claims.email]);
      if (!rows[0]) return { ok: false, reason: 'not_pending' };
      await client.query('UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [claims.userId]);
      return { ok: true, email: rows[0].email };
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return { ok: false, reason: 'email_taken' };
    throw err;
  }
}
