/**
 * The operator audit log (common/db/migrations/0090_operator_audit.sql): one append-only row per
 * operator action on a sale or on one of its fans: who (the admin account; the static operator
 * token is `operator`), where from (API or edge), what, to whom, why, when. Written before the
 * action (`audited`), so an action without PostgreSQL does not run.
 */
import { z } from 'zod';
import type { PgClient, PgPool } from '../common/postgres-pool.js';

export interface OperatorActor {
  id: string;
  email: string;
}

/** Why an operator acted: free text, kept with the action (required for actions on a fan). */
export const reasonSchema = z.string().trim().min(3).max(500).describe('why the operator acts (kept in the audit log)');

/** Optional on every other change an operator makes (controls, schedule, refunds…): `X-Usher-Reason`, kept with it. */
export const reasonHeaders = z.object({ 'x-usher-reason': reasonSchema.optional() });

export interface AuditEntry {
  saleId: string;
  actor: OperatorActor;
  via: 'api' | 'edge';
  /** e.g. `control.pause`, `schedule.change`, `fan.ban` */
  action: string;
  visitorId?: string | null;
  accountId?: string | null;
  reason?: string | null;
  detail?: Record<string, unknown>;
}

export const auditRowSchema = z.object({
  id: z.string().describe('increasing: page with ?before=<id>'),
  at: z.string().describe('ISO 8601'),
  actor: z.object({ id: z.string(), email: z.string() }),
  via: z.enum(['api', 'edge']),
  action: z.string(),
  visitorId: z.string().nullable(),
  accountId: z.string().nullable(),
  reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditRow = z.infer<typeof auditRowSchema>;

export async function recordOperatorAction(db: PgPool | PgClient, e: AuditEntry): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO operator_audit (sale_id, actor_id, actor_email, via, action, visitor_id, account_id, reason, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text AS id`,
    [e.saleId, e.actor.id.slice(0, 64), e.actor.email.slice(0, 320), e.via, e.action, e.visitorId ?? null, e.accountId ?? null, e.reason ?? null, JSON.stringify(e.detail ?? {})],
  );
  return rows[0]!.id;
}

/**
 * Runs `act` once its audit row is written: the row first (PostgreSQL unreachable or the row
 * refused: the action does not run), then the action. Should the action fail, a second row
 * `<action>.failed` with its error code follows (append-only: nothing is ever rewritten), so a
 * row is an accepted request and a `.failed` row after it says it did not take effect. No
 * connection is held while the action runs (a refund uses PostgreSQL itself).
 */
export async function audited<T>(pg: PgPool, entry: AuditEntry, act: () => Promise<T>): Promise<T> {
  await recordOperatorAction(pg, entry);
  try {
    return await act();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    await recordOperatorAction(pg, { ...entry, action: `${entry.action}.failed`, detail: { ...entry.detail, error: typeof code === 'string' ? code : 'internal' } })
      .catch(() => undefined); // the error that matters is the action's
    throw err;
  }
}

interface AuditDbRow {
  id: string; at: Date; actor_id: string; actor_email: string; via: 'api' | 'edge'; action: string;
  visitor_id: string | null; account_id: string | null; reason: string | null; detail: Record<string, unknown>;
}

/** The sale's audit log, newest first, `limit` rows before the row `before` (exclusive). */
export async function readOperatorAudit(pg: PgPool, saleId: string, o: { limit: number; before?: string; visitorId?: string }): Promise<{ entries: AuditRow[]; nextBefore: string | null }> {
  const { rows } = await pg.query<AuditDbRow>(
    `SELECT id::text AS id, at, actor_id, actor_email, via, action, visitor_id, account_id::text AS account_id, reason, detail
       FROM operator_audit
      WHERE sale_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) AND ($3::text IS NULL OR visitor_id = $3)
      ORDER BY operator_audit.id DESC LIMIT $4`, // the table's bigint: the text alias would sort '9' after '10'
    [saleId, o.before ?? null, o.visitorId ?? null, o.limit + 1],
  );
  const page = rows.slice(0, o.limit);
  return {
    entries: page.map((r) => ({
      id: r.id, at: r.at.toISOString(), actor: { id: r.actor_id, email: r.actor_email }, via: r.via, action: r.action,
      visitorId: r.visitor_id, accountId: r.account_id, reason: r.reason, detail: r.detail,
    })),
    nextBefore: rows.length > o.limit ? page[page.length - 1]!.id : null,
  };
}
