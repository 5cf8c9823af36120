/**
 * The errors behind a run's 5xx, from the roles' pino logs (stack.ts writes one file per role):
 * every warn / error / fatal line counted by its message and its error's type and message (numbers
 * and ids blanked, so one cause is one row). Read at the end of a run, before the data folder goes.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface LogErrorKind {
  level: string;
  what: string;
  count: number;
  first: string;
}

const LEVELS = new Set(['warn', 'error', 'fatal', '40', '50', '60']);

/** `timeout exceeded when trying to connect` stays; `hold 3f9a… of sale 12` becomes `hold # of sale #`. */
function normalise(text: string): string {
  return text.replace(/[0-9a-f]{8,}(-[0-9a-f]{4,})*/gi, '#').replace(/\d+(\.\d+)?/g, '#').slice(0, 160);
}

export function countLogErrors(text: string): LogErrorKind[] {
  const kinds = new Map<string, LogErrorKind>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: unknown; msg?: unknown; time?: unknown; err?: { type?: unknown; message?: unknown; code?: unknown } | string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const level = String(entry.level ?? '');
    if (!LEVELS.has(level)) continue;
    const err = typeof entry.err === 'string' ? { message: entry.err } : entry.err;
    const what = [entry.msg, err?.type, err?.code, err?.message].filter((x) => x !== undefined && x !== '').map((x) => normalise(String(x))).join(' | ');
    const key = `${level} ${what}`;
    const kind = kinds.get(key) ?? { level, what, count: 0, first: String(entry.time ?? '') };
    kind.count++;
    kinds.set(key, kind);
  }
  return [...kinds.values()].sort((a, b) => b.count - a.count);
}

/** The counts of one role's log file (empty when it is missing). */
export function roleLogErrors(file: string): LogErrorKind[] {
  return existsSync(file) ? countLogErrors(readFileSync(file, 'utf8')) : [];
}
