/**
 * The one place queue script codes become domain errors, and domain errors become HTTP problems
 * and WebSocket error messages.
 */
import { Problem } from '../common/problem.js';

export const queueErrorCodes = ['UNKNOWN_SALE', 'CLOSED', 'NOT_OPEN', 'NO_OFFER', 'OFFER_EXPIRED', 'ALREADY', 'NOT_YET', 'STALE'] as const;
export type QueueErrorCode = (typeof queueErrorCodes)[number];

const meaning: Record<QueueErrorCode, { status: number; code: string; detail: string }> = {
  UNKNOWN_SALE: { status: 404, code: 'unknown_sale', detail: 'there is no such sale' },
  CLOSED: { status: 410, code: 'sale_closed', detail: 'the sale is closed' },
  NOT_OPEN: { status: 409, code: 'queue_not_open', detail: 'the waiting room is not open yet' },
  NO_OFFER: { status: 409, code: 'no_offer', detail: 'there is no admission offer to take' },
  OFFER_EXPIRED: { status: 410, code: 'offer_expired', detail: 'the admission offer has lapsed' },
  ALREADY: { status: 409, code: 'already_shuffled', detail: 'the pre-queue was already shuffled' },
  NOT_YET: { status: 409, code: 'not_yet_open', detail: 'the sale has not opened yet' },
  STALE: { status: 409, code: 'prequeue_changed', detail: 'the pre-queue changed while it was being shuffled' },
};

export class QueueError extends Error {
  constructor(readonly code: QueueErrorCode) {
    super(meaning[code].detail);
    this.name = 'QueueError';
  }

  toProblem(): Problem {
    const m = meaning[this.code];
    return new Problem(m.status, m.code, m.detail);
  }
}

/** Turns a script's `{err=…}` answer into a QueueError; unknown codes are bugs and stay loud. */
export function queueErrorOf(code: string): QueueError {
  if ((queueErrorCodes as readonly string[]).includes(code)) return new QueueError(code as QueueErrorCode);
  throw new Error(`queue script returned an unknown error code: ${code}`);
}
