/**
 * Opaque refresh tokens, rotated on every use and stored only as SHA-256 hashes. Each login starts
 * a family; a refresh revokes the presented token and issues its successor in the same family.
 * Presenting a token that was already rotated means it leaked (or a client raced itself): the
 * whole family is revoked, which logs out whoever holds the newer token too (OAuth 2 BCP §4.14).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PgClient, PgPool } from '../../common/postgres-pool.js';
import { inTransaction } from '../../common/postgres-pool.js';

export const REFRESH_TTL_S = 30 * 86_400;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function issueRefreshToken(db: PgPool | PgClient, userId: string, familyId: string = randomUUID()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [userId, familyId, hashToken(token), REFRESH_TTL_S],
  );
  return token;
}

export type RotateResult =
  | { ok: true; token: string; user: { id: string; email: string; role: 'fan' | 'admin'; emailVerified: boolean } }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' };

export async function rotateRefreshToken(pool: PgPool, token: string): Promise<RotateResult> {
  // The family revocation on reuse must commit, so failures are returned, not thrown.
  return inTransaction(pool, async (client): Promise<RotateResult> => {
    const { rows } = await client.query<{ id: string; user_id: string; family_id: string; expired: boolean; revoked: boolean }>(
      `SELECT id, user_id, family_id, expires_at <= now() AS expired, revoked_at IS NOT NULL AS revoked
       FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revoked) {
      const live = await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [row.family_id]);
      return { ok: false, reason: (live.rowCount ?? 0) > 0 ? 'reused' : 'revoked' };
    }
    if (row.expired) return { ok: false, reason: 'expired' };
    await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE id = $1', [row.id]);
    const user = await client.query<{ id: string; email: string; role: 'fan' | 'admin'; emailVerified: boolean }>(
      'SELECT id, email, role, email_verified_at IS NOT NULL AS "emailVerified" FROM users WHERE id = $1', [row.user_id]);
    if (!user.rows[0]) return { ok: false, reason: 'unknown' };
    return { ok: true, token: await issueRefreshToken(client, row.user_id, row.family_id), user: user.rows[0] };
  });
}

/** Logout: the token's whole family. Unknown tokens are ignored (logout is idempotent). */
export async function revokeRefreshFamily(pool: PgPool, token: string): Promise<void> {
  await pool.query(
    `UPDATE refresh_tokens SET revoked_at = now()
     WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL`,
    [hashToken(token)],
  );
}
