/**
 * An account's role as PostgreSQL has it now, not as a token issued up to 15 minutes ago says:
 * the API's admin and user routes and the edge's controls ask here, so a demoted or deleted
 * organiser loses admin rights within the cache's TTL on every process, not at the token's expiry.
 * Cached per process (a few seconds) so an organiser's dashboard polling, or a fan's checkout, does
 * not cost a query per request.
 */
import type { PgPool } from '../common/postgres-pool.js';
import { createTtlCache } from '../common/ttl-cache.js';
import { AccessTokenError, isOperatorToken, type AccessTokens, type Role } from './access-token.js';
import type { AccessDenylist } from './access-denylist.js';

export const ACCOUNT_ROLE_TTL_MS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccountRoles {
  /** The account's role now; null when there is no such account (deleted, or never was). */
  current(userId: string): Promise<Role | null>;
}

export function accountRoles(pg: PgPool, options: { ttlMs?: number } = {}): AccountRoles {
  // Errors are not kept longer than a second: an outage answers 503 and is retried, not remembered.
  const cache = createTtlCache<string, Role | null>({ ttlMs: options.ttlMs ?? ACCOUNT_ROLE_TTL_MS, max: 10_000 });
  return {
    current(userId) {
      // a token's subject is ours, but a malformed one must be "no account", not a PostgreSQL error
      if (!UUID.test(userId)) return Promise.resolve(null);
      return cache.get(userId, async () => {
        const { rows } = await pg.query<{ role: Role }>('SELECT role FROM users WHERE id = $1', [userId]);
        return rows[0]?.role ?? null;
      });
    },
  };
}

export interface OperatorAuth {
  tokens: AccessTokens;
  adminApiToken: string | undefined;
  denylist: AccessDenylist;
  /** Without it (a process with no PostgreSQL) only the static operator token is admitted. */
  roles: AccountRoles | undefined;
}

/** Who an operator is: the static token's fixed identity, or the admin account. */
export interface Operator {
  userId: string;
  email: string;
}

/** The identity the static ADMIN_API_TOKEN acts under, on the edge and in the API's requireAdmin. */
export const STATIC_OPERATOR: Operator = { userId: 'operator', email: 'operator@usher.local' };

/**
 * Operator authorisation of the edge's controls (the API's requireAdmin applies the same rules
 * with its own 401/403 answers): the static ADMIN_API_TOKEN, or an access token that was not
 * logged out whose account is an admin now. Answers who it is (for the audit log), or null.
 */
export async function operatorOf(bearer: string | undefined, auth: OperatorAuth): Promise<Operator | null> {
  if (!bearer) return null;
  if (isOperatorToken(bearer, auth.adminApiToken)) return STATIC_OPERATOR;
  if (!auth.roles) return null;
  let claims;
  try {
    claims = await auth.tokens.verify(bearer);
  } catch (err) {
    if (err instanceof AccessTokenError) return null;
    throw err;
  }
  if (claims.role !== 'admin' || (await auth.denylist.isDenied(bearer))) return null;
  return (await auth.roles.current(claims.userId)) === 'admin' ? { userId: claims.userId, email: claims.email } : null;
}

export async function isAdmin(bearer: string | undefined, auth: OperatorAuth): Promise<boolean> {
  return (await operatorOf(bearer, auth)) !== null;
}
