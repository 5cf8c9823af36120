/**
 * Backend health for admission: API and worker processes publish what they see once a second to
 * one Redis hash (a field per process); every edge reads the hash once per tick round and hands
 * the aggregate to admit-14.lua, which halves the sale's effective rate while a signal is past its
 * threshold and restores it additively (includes/healthBackoff.lua).
 *
 *   hold_p99_ms     p99 of POST /v1/sales/:sale/holds over the window: the worst API process's
 *   error_rate_pct  5xx answers ÷ all answers over the window, all API processes together
 *   commit_queue    commit jobs waiting (and delayed for retry): the largest a worker read
 *
 * A process's figures count while fresher than FRESH_MS; a signal nobody reports is unknown, and
 * unknown never breaches (a stopped API is the readiness probes' business, not the queue's).
 */
import { hostname } from 'node:os';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { RedisClient } from '../common/redis-connection.js';
import { redisKeys } from '../common/redis-keys.js';

export const HEALTH_SIGNALS = ['hold_p99_ms', 'commit_queue', 'error_rate_pct'] as const;
export type HealthSignal = (typeof HEALTH_SIGNALS)[number];
export type HealthSignals = Partial<Record<HealthSignal, number>>;

/** A process's figures older than this are ignored; older than STALE_MS they are deleted. */
const FRESH_MS = 5_000;
const STALE_MS = 60_000;
/** Fewer requests than this in the window: no error rate (one 500 at night is not 100% failing). */
export const MIN_REQUESTS_FOR_ERROR_RATE = 20;
/** Hold latencies kept per second of the window: enough for a p99, bounded memory at any rate. */
const SAMPLES_PER_S = 2_000;

/** What one process writes (its field's JSON). */
export interface ProcessHealth {
  at: number;
  holdP99Ms?: number;
  holds?: number;
  requests?: number;
  errors?: number;
  commitQueue?: number;
}

export const healthScopeOf = (config: Config): string => config.worker.bullmqPrefix;
export const healthKeyOf = (config: Config): string => redisKeys.backendHealth(healthScopeOf(config));

/** The API's sliding window of its own requests: one bucket per second, `windowS` of them. */
export class RequestWindow {
  private readonly seconds: { s: number; holds: number[]; holdCount: number; requests: number; errors: number }[] = [];
  /** start ms of the holds not answered yet: a hold stuck longer than the window still counts, by its age */
  private readonly inFlight = new Set<{ at: number }>();

  constructor(private readonly windowS: number, private readonly now: () => number = Date.now) {}

  private current() {
    const s = Math.floor(this.now() / 1000);
    let last = this.seconds.at(-1);
    if (!last || last.s !== s) {
      last = { s, holds: [], holdCount: 0, requests: 0, errors: 0 };
      this.seconds.push(last);
      while (this.seconds.length > 0 && this.seconds[0]!.s <= s - this.windowS) this.seconds.shift();
    }
    return last;
  }

  /** A hold request began; call the answer when it ends (before `record`). */
  beginHold(): () => void {
    const entry = { at: this.now() };
    this.inFlight.add(entry);
    return () => void this.inFlight.delete(entry);
  }

  record(seconds: number, status: number, isHold: boolean): void {
    const b = this.current();
    b.requests++;
    if (status >= 500) b.errors++;
    if (isHold) {
      b.holdCount++;
      // reservoir: past SAMPLES_PER_S a random sample is replaced, so the p99 stays representative
      if (b.holds.length < SAMPLES_PER_S) b.holds.push(seconds);
      else {
        const i = Math.floor(Math.random() * b.holdCount);
        if (i < SAMPLES_PER_S) b.holds[i] = seconds;
      }
    }
  }

  /** The window's figures now (p99 null without holds). */
  figures(): { holdP99Ms: number | null; holds: number; requests: number; errors: number } {
    const floor = Math.floor(this.now() / 1000) - this.windowS;
    const live = this.seconds.filter((b) => b.s > floor);
    const now = this.now();
    const pending = [...this.inFlight].map((e) => (now - e.at) / 1000);
    const samples = [...live.flatMap((b) => b.holds), ...pending].sort((a, b) => a - b);
    const p99 = samples.length > 0 ? samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.99) - 1)]! : null;
    return {
      holdP99Ms: p99 === null ? null : Math.round(p99 * 1000 * 10) / 10,
      holds: live.reduce((a, b) => a + b.holdCount, 0) + pending.length,
      requests: live.reduce((a, b) => a + b.requests, 0),
      errors: live.reduce((a, b) => a + b.errors, 0),
    };
  }
}

/** The aggregate over every fresh process's figures; absent signals are unknown. */
export function aggregateHealth(fields: Record<string, string>, nowMs: number): { signals: HealthSignals; processes: number; stale: string[] } {
  const signals: HealthSignals = {};
  const stale: string[] = [];
  let processes = 0;
  let requests = 0;
  let errors = 0;
  for (const [field, raw] of Object.entries(fields)) {
    let h: ProcessHealth;
    try {
      h = JSON.parse(raw) as ProcessHealth;
    } catch {
      stale.push(field);
      continue;
    }
    const age = nowMs - Number(h.at);
    if (!(age <= FRESH_MS)) {
      if (!(age <= STALE_MS)) stale.push(field);
      continue;
    }
    processes++;
    if (typeof h.holdP99Ms === 'number' && (h.holds ?? 0) > 0) signals.hold_p99_ms = Math.max(signals.hold_p99_ms ?? 0, h.holdP99Ms);
    if (typeof h.commitQueue === 'number') signals.commit_queue = Math.max(signals.commit_queue ?? 0, h.commitQueue);
    requests += h.requests ?? 0;
    errors += h.errors ?? 0;
  }
  if (requests >= MIN_REQUESTS_FOR_ERROR_RATE) signals.error_rate_pct = Math.round((errors / requests) * 1000) / 10;
  return { signals, processes, stale };
}

export async function readBackendHealth(redis: RedisClient, key: string, nowMs = Date.now()): Promise<{ signals: HealthSignals; processes: number }> {
  const { signals, processes, stale } = aggregateHealth(await redis.hgetall(key), nowMs);
  if (stale.length > 0) await redis.hdel(key, ...stale);
  return { signals, processes };
}

/** What admit-14.lua takes as ARGV[10]: the signals and the deployment's defaults. */
export function backoffArgument(config: Config, signals: HealthSignals): string {
  const b = config.backoff;
  if (!b.enabled) return '';
  return JSON.stringify({
    signals,
    limits: { hold_p99_ms: b.holdP99Ms, commit_queue: b.commitQueue, error_rate_pct: b.errorRatePct },
    step: b.recoveryPctPerS / 100,
    floor: b.floorPct / 100,
    intervalMs: 1000,
  });
}

export type HealthSource = () => Promise<Omit<ProcessHealth, 'at'>> | Omit<ProcessHealth, 'at'>;

export interface HealthPublisher {
  /** Adds what a role of this process reports ('api': its request window; 'worker': the commit queue). */
  add(part: string, source: HealthSource): void;
  /** Writes now (the timer does it every second). */
  publishNow(): Promise<void>;
  close(): void;
}

/** One field per process, written once a second while some role has added a source. */
export function healthPublisher(redis: RedisClient, config: Config, log: Logger): HealthPublisher {
  const key = healthKeyOf(config);
  const field = `${hostname()}:${process.pid}`;
  const sources = new Map<string, HealthSource>();
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let writing = false;

  async function publishNow(): Promise<void> {
    if (writing || sources.size === 0) return;
    writing = true;
    try {
      const h: ProcessHealth = { at: Date.now() };
      for (const source of sources.values()) Object.assign(h, await source());
      await redis.multi().hset(key, field, JSON.stringify(h)).pexpire(key, STALE_MS).exec();
      failing = false;
    } catch (err) {
      if (!failing) log.warn({ err: (err as Error).message }, 'backend health not published');
      failing = true;
    } finally {
      writing = false;
    }
  }

  return {
    add(part, source) {
      sources.set(part, source);
      timer ??= setInterval(() => void publishNow(), 1000);
      timer.unref();
    },
    publishNow,
    close() {
      clearInterval(timer);
      timer = undefined;
      sources.clear();
      void redis.hdel(key, field).catch(() => undefined);
    },
  };
}
