/**
 * The versioned WebSocket protocol between the waiting-room page and the edge (documented in
 * queue-edge/README.md). Every client message is parsed here; anything else is an error message.
 */
import { z } from 'zod';
import { accessCodeSchema } from '../admission/sale-access.js';

/** What a fan may bring to a presale's join (socket `join` and HTTP join alike): one of them. */
export const presaleFields = {
  accessCode: accessCodeSchema.optional(),
  enqueueToken: z.string().min(10).max(2048).optional(),
};

export const PROTOCOL_VERSION = 1;

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    v: z.literal(PROTOCOL_VERSION), type: z.literal('join'), token: z.string().min(10).max(2048), nonce: z.string().max(32).optional(),
    ...presaleFields,
  }),
  z.strictObject({ v: z.literal(PROTOCOL_VERSION), type: z.literal('take') }),
  z.strictObject({ v: z.literal(PROTOCOL_VERSION), type: z.literal('rank') }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const saleIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a sale id is 1-64 letters, digits, - or _');

/** `rejecting`: the queueing mode is reject: nobody new is let in, and nobody is admitted. */
export type SaleState = 'prequeue' | 'open' | 'paused' | 'closed' | 'sold_out' | 'all_held' | 'rejecting';
export type QueueMode = 'fifo' | 'random' | 'passthrough' | 'reject';

/** Sale-wide, published once per tick on the sale's topic: each fan derives position from its ticket. */
export interface PositionBroadcast {
  v: 1;
  type: 'position';
  state: SaleState;
  /** highest ticket admitted: people ahead of ticket t are at most t − serving − 1 */
  serving: number;
  waiting: number;
  /** admissions per minute: the setting and the measured range behind the ETA */
  ratePerMin: number;
  measuredPerMin: [number, number] | null;
  opensAt: number;
  /** the opening shuffle's seed, published once the pre-queue is shuffled ('' before) */
  seed: string;
  /** the organiser's current message to everyone waiting ('' for none) */
  message: string;
  /** how newcomers are queued (README: Queueing modes) */
  mode: QueueMode;
  /** random mode: when the current window's draw is due (ms), null otherwise */
  nextDrawAt: number | null;
  at: number;
}

export type ServerMessage =
  | { v: 1; type: 'hello'; saleId: string; challenge: string; powDifficulty: number }
  | { v: 1; type: 'queued'; state: 'prequeue' }
  | { v: 1; type: 'queued'; state: 'waiting'; ticket: number; rank?: number }
  | PositionBroadcast
  | { v: 1; type: 'offer'; deadline: number }
  | { v: 1; type: 'admitted'; pass: string; exp: number; checkoutUrl: string }
  | { v: 1; type: 'done' }
  | { v: 1; type: 'rank'; rank: number | null }
  | { v: 1; type: 'paused' | 'resumed' | 'sold_out' | 'all_held' | 'closed' | 'opened' | 'rejecting' }
  | { v: 1; type: 'message'; text: string; at: number }
  | { v: 1; type: 'reconnect'; retryAfterMs: number }
  /** The end state of a fan an operator acted on (admission/fan-actions.ts); the socket closes with REMOVED_CLOSE_CODE after it. */
  | { v: 1; type: 'removed'; reason: RemovalReason; detail: string }
  | { v: 1; type: 'error'; code: string; detail: string };

export type RemovalReason = 'removed' | 'banned' | 'pass_revoked';

/** What a fan is told when an operator removes or bans them, or revokes their pass. */
export const removalDetail: Record<RemovalReason, string> = {
  removed: 'You have been removed from this queue.',
  banned: 'You have been removed from this queue. The organiser has barred you from this sale.',
  pass_revoked: 'You have been removed from this queue. The organiser revoked your admission pass.',
};
/** The close code after `removed`: the page does not reconnect. */
export const REMOVED_CLOSE_CODE = 4403;

export function encode(message: ServerMessage): string {
  return JSON.stringify(message);
}

/** Parses one client frame; returns the message or an error to send back (nothing else happens). */
export function decodeClientMessage(frame: ArrayBuffer): { ok: true; message: ClientMessage } | { ok: false; code: string; detail: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(frame).toString('utf8'));
  } catch {
    return { ok: false, code: 'bad_json', detail: 'messages are JSON objects' };
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
    return { ok: false, code: 'bad_message', detail };
  }
  return { ok: true, message: parsed.data };
}

/** The checkout link: the pass rides in the fragment, so it never reaches a server log. */
export function checkoutUrl(publicApiUrl: string, saleId: string, pass: string): string {
  return `${publicApiUrl}/checkout/${encodeURIComponent(saleId)}#pass=${encodeURIComponent(pass)}`;
}
