/**
 * Test support for the edge (not a test file): real edge servers (in-process or as child
 * processes), real sockets with the `ws` client, real Redis, and sales with unique ids.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { loadConfig, type Config } from '../../common/config.js';
import { createLogger } from '../../common/logger.js';
import { initSaleSettings } from '../../admission/sale-controls.js';
import { redisUrl, uniqueId } from './databases.js';
import { queueKeys } from '../../admission/queue-keys.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { queueStore } from '../../queue-edge/queue-store.js';
import { openEmptyQueue } from '../../queue-edge/opening-draw.js';
import { startEdgeServer, type EdgeServer, type EdgeServerOptions } from '../../queue-edge/edge-server.js';

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    REDIS_URL: redisUrl(),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    EDGE_TICK_MS: '50',
    EDGE_CONNECTS_PER_IP_PER_MIN: '100000',
    EDGE_JOINS_PER_IP_PER_MIN: '100000',
    PUBLIC_API_URL: 'http://127.0.0.1:1',
    ADMIN_API_TOKEN: 'test-admin-token-0123456789',
    SHUTDOWN_GRACE_MS: '3000',
    // any free port: test processes run side by side (a test that scrapes names its own)
    EDGE_METRICS_PORT: '0',
    API_METRICS_PORT: '0',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(testEnv(overrides));
}

export interface TestEdge extends EdgeServer {
  url: string;
  wsUrl(saleId: string): string;
  close(): Promise<void>;
}

export async function startTestEdge(env: Record<string, string> = {}, options: Partial<EdgeServerOptions> = {}): Promise<TestEdge> {
  const config = testConfig(env);
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined); // an outage test stops Redis: commands fail, the client keeps retrying
  const server = await startEdgeServer({ config, log: createLogger('silent'), redis, port: 0, ...options });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    ...server,
    url,
    wsUrl: (saleId) => `ws://127.0.0.1:${server.port}/v1/sales/${saleId}/ws`,
    async close() {
      await server.stop(1000);
      redis.disconnect();
    },
  };
}

/** A sale's settings in Redis as the admin publish would write them; opens now unless told otherwise. */
export async function createSale(redis: RedisClient, init: Partial<{ ratePerMin: number; maxActive: number; opensAtMs: number; prequeueOpensAtMs: number; powDifficulty: number }> = {}): Promise<string> {
  const saleId = uniqueId('sale');
  const opensAtMs = init.opensAtMs ?? 0;
  await initSaleSettings(redis, saleId, {
    ratePerMin: init.ratePerMin ?? 60,
    maxActive: init.maxActive ?? 1000,
    opensAtMs,
    closesAtMs: Date.now() + 3600_000,
    prequeueOpensAtMs: init.prequeueOpensAtMs ?? 0,
  });
  if (init.powDifficulty) await redis.hset(queueKeys(saleId).settings, 'pow_difficulty', String(init.powDifficulty));
  // A sale already open has had its (empty) opening draw: joins go straight into the queue.
  if (opensAtMs <= Date.now()) await openEmptyQueue(queueStore(redis), saleId);
  return saleId;
}

export async function newVisitor(edgeUrl: string): Promise<{ token: string; visitorId: string }> {
  const res = await fetch(`${edgeUrl}/v1/visitors`, { method: 'POST' });
  if (res.status !== 201) throw new Error(`visitor token: ${res.status}`);
  return (await res.json()) as { token: string; visitorId: string };
}

export type Msg = { type: string } & Record<string, unknown>;

/** A fan over a real socket: every message is kept; `next(type)` waits for the next one of a type. */
export class Fan {
  readonly messages: Msg[] = [];
  private readonly waiters: { types: string[]; resolve: (m: Msg) => void }[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Msg;
      this.messages.push(m);
      const w = this.waiters.find((x) => x.types.includes(m.type));
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<Fan> {
    const ws = new WebSocket(url, { headers });
    const fan = new Fan(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(fan));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first not yet consumed message of `type` (already received or still to come). */
  next(type: string, timeoutMs = 5000): Promise<Msg> {
    return this.nextOf([type], timeoutMs);
  }

  nextOf(types: string[], timeoutMs = 5000): Promise<Msg> {
    const seen = this.messages.find((m) => types.includes(m.type) && !this.consumed.has(m));
    if (seen) {
      this.consumed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const waiter = { types, resolve: (m: Msg) => {
        clearTimeout(timer);
        this.consumed.add(m);
        resolve(m);
      } };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${types.join('|')} message within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(',')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private readonly consumed = new Set<Msg>();
  private greeted = false;

  async join(token: string, nonce?: string): Promise<Msg> {
    if (!this.greeted) await this.next('hello');
    this.greeted = true;
    this.send({ v: 1, type: 'join', token, ...(nonce ? { nonce } : {}) });
    return this.nextOf(['queued', 'offer', 'admitted', 'error', 'done']);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** An edge as its own process (several share Redis; each has its own port unless told). */
export async function spawnEdge(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'queue-edge/edge-process-main.ts'], {
    env: { ...process.env, ...testEnv(env), USHER_EDGE_CHILD: '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
    child.once('exit', (code) => reject(new Error(`edge exited with ${code}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${env.EDGE_PORT}`,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}
