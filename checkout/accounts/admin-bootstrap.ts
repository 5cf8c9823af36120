/**
 * Creates the first organiser account, or promotes/re-keys an existing one (the `admin:create`
 * script and the demo use it). Idempotent per e-mail.
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
    `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, 'admin')
     ON CONFLICT ((lower(email))) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = 'admin'
     RETURNING id, (xmax = 0) AS created`,
    [email, hash]);
  return rows[0]!;
}
