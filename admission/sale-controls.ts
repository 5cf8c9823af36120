/**
 * Live controls of a sale's queue (rate, max shoppers, pause/resume, close, message), shared by the
 * edge's control endpoint and the API's admin routes. A control is one HSET of the sale's settings
 * plus one publish on its channel (sharded on a cluster); edges re-read the settings on every
 * tick, so a change takes effect within one tick everywhere even if the message is missed.
 */
import { z } from 'zod';
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys } from './queue-keys.js';
import { publishSaleEvent } from './sale-channel.js';
import type { PgPool } from '../common/postgres-pool.js';

/**
 * How a sale queues newcomers once open (queue-edge/README.md#queueing-modes): `fifo` in arrival
 * order, `random` drawn at the end of each window, `passthrough` straight in while under the limits,
 * `reject` nobody new.
 */
export const queueModeSchema = z.enum(['fifo', 'random', 'passthrough', 'reject']);
export type QueueMode = z.infer<typeof queueModeSchema>;

export const saleControlSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('set_rate'), ratePerMin: z.number().int().min(1).max(1_000_000) }),
  z.object({ action: z.literal('set_max_shoppers'), maxActive: z.number().int().min(1).max(1_000_000) }),
  z.object({ action: z.literal('pause') }),
  z.object({ action: z.literal('resume') }),
  z.object({ action: z.literal('close') }),
  z.object({ action: z.literal('message'), text: z.string().trim().min(1).max(500) }),
  z.object({ action: z.literal('set_mode'), mode: queueModeSchema, drawWindowS: z.number().int().min(1).max(3600).optional() }),
  // Admission that follows backend health (admission/backend-health.ts): a threshold given here
  // replaces the deployment's default for this sale, 0 stops watching that signal, null goes back to the default.
  z.object({
    action: z.literal('set_backoff'),
    enabled: z.boolean().optional(),
    holdP99Ms: z.number().int().min(0).max(600_000).nullable().optional(),
    commitQueue: z.number().int().min(0).max(10_000_000).nullable().optional(),
    errorRatePct: z.number().min(0).max(100).nullable().optional(),
  }).refine((c) => Object.keys(c).length > 1, 'name at least one of enabled, holdP99Ms, commitQueue, errorRatePct'),
]);
export type SaleControl = z.infer<typeof saleControlSchema>;

export interface SaleSettings {
  ratePerMin: number;
  maxActive: number;
  paused: boolean;
  closed: boolean;
  message: string;
  mode: QueueMode;
  /** random mode's window; null until set (the tick then uses 10 s) */
  drawWindowS: number | null;
  /** the sale's backoff on backend health: its own thresholds, null = the deployment's default */
  backoff: { enabled: boolean; holdP99Ms: number | null; commitQueue: number | null; errorRatePct: number | null };
}

/** Settings fields of the backoff; '' (HSET of an empty string) means back to the default. */
const backoffFields = { holdP99Ms: 'backoff_hold_p99_ms', commitQueue: 'backoff_commit_queue', errorRatePct: 'backoff_error_rate_pct' } as const;

/** The settings fields a control writes; `nowMs` stamps a message (a scheduled one: its time). */
export function settingsFieldsOf(control: SaleControl, nowMs = Date.now()): Record<string, string> {
  switch (control.action) {
    case 'set_rate': return { rate_per_min: String(control.ratePerMin) };
    case 'set_max_shoppers': return { max_active: String(control.maxActive) };
    case 'pause': return { paused: '1' };
    case 'resume': return { paused: '0' };
    case 'close': return { closed: '1' };
    case 'message': return { message: control.text, message_at: String(nowMs) };
    case 'set_mode': return { mode: control.mode, ...(control.drawWindowS ? { draw_window_ms: String(control.drawWindowS * 1000) } : {}) };
    case 'set_backoff': {
      const fields: Record<string, string> = control.enabled === undefined ? {} : { backoff: control.enabled ? '1' : '0' };
      for (const [name, field] of Object.entries(backoffFields)) {
        const v = control[name as keyof typeof backoffFields];
        if (v !== undefined) fields[field] = v === null ? '' : String(v);
      }
      return fields;
    }
  }
}

export async function applySaleControl(redis: RedisClient, saleId: string, control: SaleControl): Promise<SaleSettings> {
  const keys = queueKeys(saleId);
  await redis.hset(keys.settings, settingsFieldsOf(control));
  await publishSaleEvent(redis, keys.channel, JSON.stringify({ type: 'control', control }));
  return readSaleSettings(redis, saleId);
}

/**
 * The sale's row follows the controls that change its status (close; pause and resume while it is
 * open or paused): the catalog, the console and the API's own checks read it. Both control paths
 * (the API's admin route and the edge's) record it, so a sale closed at the edge is closed for all.
 */
export async function recordSaleStatus(pg: PgPool, saleId: string, action: SaleControl['action']): Promise<void> {
  if (action === 'close') await pg.query(`UPDATE sales SET status = 'closed' WHERE id = $1`, [saleId]);
  else if (action === 'pause') await pg.query(`UPDATE sales SET status = 'paused' WHERE id = $1 AND status = 'open'`, [saleId]);
  else if (action === 'resume') await pg.query(`UPDATE sales SET status = 'open' WHERE id = $1 AND status = 'paused'`, [saleId]);
}

/** Changes the proof of work asked of joining fans; edges pick it up on their next tick. */
export async function setPowDifficulty(redis: RedisClient, saleId: string, bits: number): Promise<void> {
  await redis.hset(queueKeys(saleId).settings, 'pow_difficulty', String(bits));
}

export async function readSaleSettings(redis: RedisClient, saleId: string): Promise<SaleSettings> {
  const s = await redis.hgetall(queueKeys(saleId).settings);
  return {
    ratePerMin: Number(s.rate_per_min ?? 0),
    maxActive: Number(s.max_active ?? 0),
    paused: s.paused === '1',
    closed: s.closed === '1',
    message: s.message ?? '',
    mode: queueModeSchema.catch('fifo').parse(s.mode ?? 'fifo'),
    drawWindowS: s.draw_window_ms ? Number(s.draw_window_ms) / 1000 : null,
    backoff: {
      enabled: s.backoff !== '0',
      holdP99Ms: s.backoff_hold_p99_ms ? Number(s.backoff_hold_p99_ms) : null,
      commitQueue: s.backoff_commit_queue ? Number(s.backoff_commit_queue) : null,
      errorRatePct: s.backoff_error_rate_pct ? Number(s.backoff_error_rate_pct) : null,
    },
  };
}

/** Seeds the settings of a new sale from its Postgres row (admin publish, demo). Keeps live changes. */
export interface SaleSettingsInit {
  ratePerMin: number;
  maxActive: number;
  opensAtMs: number;
  closesAtMs: number;
  prequeueOpensAtMs: number;
  /** proof-of-work bits asked of joining fans (0 = off) */
  powDifficulty?: number;
}

export async function initSaleSettings(redis: RedisClient, saleId: string, init: SaleSettingsInit): Promise<void> {
  const keys = queueKeys(saleId);
  const fields: Record<string, string> = {
    pow_difficulty: String(init.powDifficulty ?? 0),
    rate_per_min: String(init.ratePerMin),
    max_active: String(init.maxActive),
    paused: '0',
    closed: '0',
    opens_at_ms: String(init.opensAtMs),
    closes_at_ms: String(init.closesAtMs),
    prequeue_opens_at_ms: String(init.prequeueOpensAtMs),
  };
  // HSETNX per field: a re-publish must not undo an operator's live change
  for (const [field, value] of Object.entries(fields)) await redis.hsetnx(keys.settings, field, value);
}

/**
 * Seeds the settings from the sale's Postgres row (admin publish, the demo, an edge meeting a sale
 * it has no settings for). Returns the row's settings, or null when there is no such sale
 * (or, with `publishedOnly`, it is still a draft).
 */
export async function initSaleSettingsFromPostgres(
  redis: RedisClient,
  pg: PgPool,
  saleId: string,
  options: { publishedOnly?: boolean } = {},
): Promise<SaleSettingsInit | null> {
  const { rows } = await pg.query<{ prequeue_opens_at: Date; opens_at: Date; closes_at: Date; admission_rate_per_min: number; max_active_shoppers: number; pow_difficulty: number }>(
    `SELECT prequeue_opens_at, opens_at, closes_at, admission_rate_per_min, max_active_shoppers, pow_difficulty
       FROM sales WHERE id = $1${options.publishedOnly ? ` AND status <> 'draft'` : ''}`,
    [saleId],
  );
  const row = rows[0];
  if (!row) return null;
  const init: SaleSettingsInit = {
    ratePerMin: row.admission_rate_per_min,
    maxActive: row.max_active_shoppers,
    opensAtMs: row.opens_at.getTime(),
    closesAtMs: row.closes_at.getTime(),
    prequeueOpensAtMs: row.prequeue_opens_at.getTime(),
    powDifficulty: row.pow_difficulty,
  };
  await initSaleSettings(redis, saleId, init);
  return init;
}
