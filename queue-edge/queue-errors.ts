/**
 * The one place queue script codes become domain errors, and domain errors become HTTP problems
 * and WebSocket error messages. The scripts (`lua/`) refuse with `USHER:<code>` (common/script-error.ts);
 * the code is also the problem's and the socket error's `code`.
 */
import { Problem } from '../common/problem.js';
import { scriptErrorOf } from '../common/script-error.js';

const meaning = {
  unknown_sale: { status: 404, detail: 'there is no such sale' },
  sale_closed: { status: 410, detail: 'the sale is closed' },
  queue_not_open: { status: 409, detail: 'the waiting room is not open yet' },
  room_closed: { status: 403, detail: 'the waiting room is not letting anyone new in right now' },
  no_offer: { status: 409, detail: 'there is no admission offer to take' },
  offer_expired: { status: 410, detail: 'the admission offer has lapsed' },
  already_shuffled: { status: 409, detail: 'the pre-queue was already shuffled' },
  already_committed: { status: 409, detail: 'the pre-queue list was already committed' },
  not_committed: { status: 409, detail: 'the pre-queue list has not been committed yet' },
  draw_mismatch: { status: 409, detail: 'the drawn order is not a permutation of the committed list' },
  not_yet_open: { status: 409, detail: 'the sale has not opened yet' },
  prequeue_changed: { status: 409, detail: 'the pre-queue changed while it was being shuffled' },
  draw_not_due: { status: 409, detail: 'the draw window has not ended yet' },
  presale_access_required: { status: 403, detail: 'this part of the sale needs an access code or an invitation (enqueue token)' },
  access_code_unknown: { status: 403, detail: 'this access code is not valid for this sale' },
  access_code_used: { status: 409, detail: 'this access code has already been used' },
  enqueue_token_invalid: { status: 403, detail: 'the enqueue token is not valid for this sale (signature, audience or claims)' },
  enqueue_token_expired: { status: 403, detail: 'the enqueue token has expired' },
  enqueue_token_used: { status: 409, detail: 'this enqueue token has already been used' },
  visitor_banned: { status: 403, detail: 'You have been removed from this queue: the organiser has barred this visitor from the sale' },
} as const satisfies Record<string, { status: number; detail: string }>;

export type QueueErrorCode = keyof typeof meaning;

const isQueueErrorCode = (code: string): code is QueueErrorCode => Object.hasOwn(meaning, code);

export class QueueError extends Error {
  constructor(readonly code: QueueErrorCode) {
    super(meaning[code].detail);
    this.name = 'QueueError';
  }

  toProblem(): Problem {
    return new Problem(meaning[this.code].status, this.code, this.message);
  }
}

/**
 * `.catch()` of every queue script call: a `USHER:<code>` refusal becomes a QueueError; a code no
 * queue script documents is a bug and stays loud; anything else (Redis down, …) is rethrown as is.
 */
export function fromQueueScriptError(err: unknown): never {
  const failed = scriptErrorOf(err);
  if (!failed) throw err;
  if (isQueueErrorCode(failed.code)) throw new QueueError(failed.code);
  throw new Error(`queue script failed with an unknown code: ${failed.code}`, { cause: err });
}
