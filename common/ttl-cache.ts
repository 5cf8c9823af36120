/**
 * A small in-process cache with a time to live and single flight: while a value is loading,
 * every caller awaits the same promise, so N concurrent requests for one key cost one load.
 * This is what keeps the event page at 2,000 requests/s from turning into 2,000 Redis and
 * Postgres reads per second: at most one per key per TTL per process.
 */
import { dependencyBusyReason } from './dependency-busy.js';

export interface TtlCache<K, V> {
  get(key: K, load: () => Promise<V>): Promise<V>;
  delete(key: K): void;
  readonly size: number;
}

export interface TtlCacheOptions {
  ttlMs: number;
  /**
   * Failures are remembered for this long (a down dependency is not hammered either). Not a
   * saturated one's (common/dependency-busy.ts): a pool whose wait timed out for one request may
   * serve the next at once, and a remembered failure would shed every caller of the key for the
   * whole error TTL (a 1 s burst of 503s at each checkout rush).
   */
  errorTtlMs?: number;
  /** Entries kept; the oldest goes first. */
  max?: number;
  now?: () => number;
}

interface Entry<V> {
  expiresAt: number;
  value: Promise<V>;
}

export function createTtlCache<K, V>(options: TtlCacheOptions): TtlCache<K, V> {
  const { ttlMs, errorTtlMs = Math.min(ttlMs, 1000), max = 1000, now = Date.now } = options;
  if (!(ttlMs > 0)) throw new Error('ttlMs must be positive');
  const entries = new Map<K, Entry<V>>();
  return {
    get(key, load) {
      const hit = entries.get(key);
      if (hit && hit.expiresAt > now()) return hit.value;
      entries.delete(key);
      if (entries.size >= max) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      // Until the load settles the entry never expires: late callers join the flight.
      const entry: Entry<V> = { expiresAt: Number.POSITIVE_INFINITY, value: load() };
      entries.set(key, entry);
      entry.value.then(
        () => { entry.expiresAt = now() + ttlMs; },
        (err: unknown) => {
          if (dependencyBusyReason(err) && entries.get(key) === entry) entries.delete(key);
          else entry.expiresAt = now() + errorTtlMs;
        },
      );
      return entry.value;
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
