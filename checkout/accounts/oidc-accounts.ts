/**
 * Which Usher account an OpenID Connect sign-in is: the one already linked to (issuer, subject);
 * else the account with the same e-mail, linked now — only when the provider says it verified that
 * address (anyone can claim an address at some provider); else a new account without a password.
 * Concurrent first sign-ins of one person end on one account: both inserts are ON CONFLICT DO
 * NOTHING and the row is read again.
 */
import type { PgPool } from '../../common/postgres-pool.js';
import { inTransaction } from '../../common/postgres-pool.js';

export interface ProviderIdentity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
}

export interface LinkedAccount {
  userId: string;
  email: string;
  role: 'fan' | 'admin';
  emailVerified: boolean;
  outcome: 'signed_in' | 'linked' | 'created';
}

export type LinkResult = { ok: true; account: LinkedAccount } | { ok: false; reason: 'no_email' | 'email_unverified' };

type UserRow = { id: string; email: string; role: 'fan' | 'admin'; verified: boolean };
const USER = 'id, email, role, email_verified_at IS NOT NULL AS verified';

export async function accountForIdentity(pool: PgPool, who: ProviderIdentity): Promise<LinkResult> {
  return inTransaction(pool, async (client): Promise<LinkResult> => {
    const linked = await client.query<UserRow>(
      `SELECT ${USER} FROM users WHERE id = (SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2)`, [who.issuer, who.subject]);
    const row = linked.rows[0];
    if (row) return { ok: true, account: { userId: row.id, email: row.email, role: row.role, emailVerified: row.verified, outcome: 'signed_in' } };
    if (!who.email) return { ok: false, reason: 'no_email' };
    const created = await client.query<UserRow>(
      `INSERT INTO users (email, password_hash, email_verified_at) VALUES ($1, NULL, CASE WHEN $2 THEN now() END)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING ${USER}`, [who.email, who.emailVerified]);
    let user = created.rows[0];
    let outcome: LinkedAccount['outcome'] = 'created';
    if (!user) {
      if (!who.emailVerified) return { ok: false, reason: 'email_unverified' };
      // the provider proved the address: the account's address counts as verified from now on
      const existing = await client.query<UserRow>(
        `UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE lower(email) = lower($1) RETURNING ${USER}`, [who.email]);
      user = existing.rows[0]!;
      outcome = 'linked';
    }
    await client.query(
      `INSERT INTO user_identities (issuer, subject, user_id, email) VALUES ($1, $2, $3, $4) ON CONFLICT (issuer, subject) DO NOTHING`,
      [who.issuer, who.subject, user.id, who.email]);
    const owner = await client.query<{ user_id: string }>('SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2', [who.issuer, who.subject]);
    if (owner.rows[0]?.user_id !== user.id) {
      // a concurrent first sign-in linked this identity a moment earlier: theirs is the account
      const won = await client.query<UserRow>(`SELECT ${USER} FROM users WHERE id = $1`, [owner.rows[0]!.user_id]);
      user = won.rows[0]!;
      outcome = 'signed_in';
    }
    return { ok: true, account: { userId: user.id, email: user.email, role: user.role, emailVerified: user.verified, outcome } };
  });
}
