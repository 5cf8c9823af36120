/**
 * The fan's own account: what `GET /v1/me` shows, and the profile fields the fan sets themself
 * (`PATCH /v1/me`): a display name and a phone number in E.164. The e-mail address changes
 * elsewhere (email-change.ts: only once the new address proves it receives mail).
 */
import { z } from 'zod';
import type { PgPool } from '../../common/postgres-pool.js';

const uuid = z.uuid();

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9][0-9]{6,14}$/;

export interface Profile {
  email: string;
  emailVerified: boolean;
  emailVerifiedAt: string | null;
  displayName: string | null;
  phone: string | null;
  /** a change of e-mail waiting for its link to be opened */
  pendingEmail: string | null;
  /** false for an account that only signs in through its OpenID Connect provider */
  hasPassword: boolean;
}

interface Row { email: string; verified_at: Date | null; display_name: string | null; phone: string | null; pending_email: string | null; has_password: boolean }

const COLUMNS = 'email, email_verified_at AS verified_at, display_name, phone, pending_email, password_hash IS NOT NULL AS has_password';

function toProfile(row: Row): Profile {
  return {
    email: row.email, emailVerified: row.verified_at !== null, emailVerifiedAt: row.verified_at?.toISOString() ?? null,
    displayName: row.display_name, phone: row.phone, pendingEmail: row.pending_email, hasPassword: row.has_password,
  };
}

export async function readProfile(pg: PgPool, userId: string): Promise<Profile | null> {
  if (!uuid.safeParse(userId).success) return null;
  const { rows } = await pg.query<Row>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [userId]);
  return rows[0] ? toProfile(rows[0]) : null;
}

export interface ProfileChange {
  /** null clears it */
  displayName?: string | null | undefined;
  phone?: string | null | undefined;
}

/** Sets the given fields only (a field left out keeps its value); null when the account is gone. */
export async function updateProfile(pg: PgPool, userId: string, change: ProfileChange): Promise<Profile | null> {
  if (!uuid.safeParse(userId).success) return null;
  const { rows } = await pg.query<Row>(
    `UPDATE users SET
       display_name = CASE WHEN $2 THEN $3 ELSE display_name END,
       phone = CASE WHEN $4 THEN $5 ELSE phone END,
       updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [userId, change.displayName !== undefined, change.displayName ?? null, change.phone !== undefined, change.phone ?? null]);
  return rows[0] ? toProfile(rows[0]) : null;
}
