/**
 * Creates the first organiser account, or promotes/re-keys an existing one (the `admin:create`
 * script and the demo use it). Idempotent per e-mail. The operator names the address, so the
 * account is created (or marked) verified: no link is mailed. Re-keying also takes the account
 * away from whoever may have registered that address before.
 */
import { randomBytes } from 'node:crypto';
import type { PgPool } from '../../common/postgres-pool.js';
import { hashPassword } from './password-hash.js';

export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

export async function createAdmin(pool: PgPool, email: string, password: string): Promise<{ id: string; created: boolean }> {
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error(`not an e-mail address: ${email}`);
  if (password.length < 10) throw new Error('the password needs at least 10 characters');
  const hash = await hashPassword(password);
  const { rows } = await pool.query<{ id: string; created: boolean }>(
    `INSERT INTO users (email, password_hash, role, email_verified_at) VALUES ($1, $2, 'admin', now())
     ON CONFLICT ((lower(email))) DO UPDATE
       SET password_hash = EXCLUDED.password_hash, role = 'admin', email_verified_at = coalesce(users.email_verified_at, now())
     RETURNING id, (xmax = 0) AS created`,
    [email, hash]);
  return rows[0]!;
}
