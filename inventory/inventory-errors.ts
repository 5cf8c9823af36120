/**
 * The one place where script answers become typed errors. Scripts fail with
 * `redis.error_reply('USHER:<code> <detail>')` or answer a miss reason; both land here as an
 * `InventoryError` whose `code` is an `InventoryErrorCode` (the API maps codes to HTTP statuses).
 */
import { scriptErrorOf } from '../common/script-error.js';
import { scriptErrorCodes, type missErrorCodes, type InventoryErrorCode } from './inventory-api.js';

type ScriptErrorCode = (typeof scriptErrorCodes)[number];
const isScriptErrorCode = (value: string): value is ScriptErrorCode => (scriptErrorCodes as readonly string[]).includes(value);

const defaultMessages: Record<InventoryErrorCode, string> = {
  sold_out: 'sold out',
  all_held: 'all seats are held; some may come back',
  not_together: 'not enough seats together',
  seat_taken: 'a requested seat is taken',
  over_limit: 'more tickets than the per-fan limit',
  sale_not_open: 'the sale is not open',
  unknown_sale: 'unknown or unpublished sale',
  unknown_section: 'unknown section or tier',
  unknown_seat: 'unknown seat',
  duplicate_seat: 'a seat is listed twice',
  bad_quantity: 'quantity must be a whole number from 1 to the per-fan limit',
  hold_not_found: 'unknown hold',
  hold_expired: 'the hold has expired or was released',
  wrong_state: 'the hold is not in a state that allows this',
};

export class InventoryError extends Error {
  constructor(
    readonly code: InventoryErrorCode,
    message: string = defaultMessages[code],
  ) {
    super(message);
    this.name = 'InventoryError';
  }
}

/** Turns a script's `USHER:<code>` error into an InventoryError; anything else is rethrown as is. */
export function fromScriptError(err: unknown): never {
  const failed = scriptErrorOf(err);
  if (failed && isScriptErrorCode(failed.code)) {
    throw new InventoryError(failed.code, failed.detail ? `${defaultMessages[failed.code]}: ${failed.detail}` : defaultMessages[failed.code]);
  }
  throw err;
}

/** Miss reasons a hold script records per shard (`elsewhere`: the pass's request targets another shard). */
export type MissReason = (typeof missErrorCodes)[number] | 'elsewhere';

const missRank: Record<MissReason, number> = { elsewhere: 0, sold_out: 1, all_held: 2, not_together: 3, seat_taken: 4 };

export function isMissReason(value: string): value is MissReason {
  return value in missRank;
}

/**
 * The fan-facing reason when every shard missed: the most specific one wins (a taken seat beats
 * "not together", which beats "held, may come back", which beats "sold out").
 */
export function missError(reasons: MissReason[]): InventoryError {
  let best: MissReason = 'elsewhere';
  for (const r of reasons) if (missRank[r] > missRank[best]) best = r;
  return new InventoryError(best === 'elsewhere' ? 'all_held' : best);
}
