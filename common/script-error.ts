/**
 * The one Lua error convention of every Usher script: a script refuses with
 * `return redis.error_reply('USHER:<code> <detail>')` (code in lower snake case, detail optional)
 * and writes nothing before it (a script that fails keeps the writes it already made). Each
 * family's error module (`inventory/inventory-errors.ts`, `queue-edge/queue-errors.ts`) turns the
 * parsed code into its typed error; anything else (a connection failure, a Lua bug) is not ours.
 */

export interface ScriptError {
  code: string;
  /** what the script added after the code, e.g. the offending seat id */
  detail: string | undefined;
}

// Redis 7 prefixes `ERR ` to an error_reply without a space (it takes the first word for an error code).
const SCRIPT_ERROR = /^(?:ERR )?USHER:([a-z][a-z0-9_]*)(?: ([\s\S]*))?$/;

/** `{code, detail}` of a script's `USHER:<code> <detail>` error (an ioredis ReplyError), or null for any other error. */
export function scriptErrorOf(err: unknown): ScriptError | null {
  if (!(err instanceof Error)) return null;
  const match = SCRIPT_ERROR.exec(err.message);
  if (!match) return null;
  return { code: match[1]!, detail: match[2] || undefined };
}
