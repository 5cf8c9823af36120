/**
 * This process's open-files limit (RLIMIT_NOFILE, soft), from /proc: every socket is one file, so
 * the limit is the ceiling of the fans one edge process can hold. Node has no getrlimit; off Linux
 * (no /proc) the answer is null and nothing is capped.
 */
import { readFileSync } from 'node:fs';

export function parseOpenFilesLimit(limits: string): number | null {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  return m && m[1] !== 'unlimited' ? Number(m[1]) : null;
}

export function openFilesLimit(): number | null {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}

/**
 * How many sockets (joined or not, upgrades under way included) one edge process takes before it
 * refuses new ones with 503 `edge_full`: its open-files limit less a reserve for its other files
 * (Redis and PostgreSQL connections, HTTP clients, Node's own). At the limit itself uWS cannot
 * accept (EMFILE), leaves the connection in the listen queue and spins on it: the process burns a
 * core and every connection behind it hangs, where a refusal sends the fan's page to reconnect,
 * which SO_REUSEPORT most likely hands to another process.
 */
export function socketCapacity(limit: number | null = openFilesLimit()): number {
  if (limit === null) return Number.POSITIVE_INFINITY;
  return Math.max(1, limit - Math.max(128, Math.ceil(limit * 0.02)));
}
