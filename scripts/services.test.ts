import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startRedis, startPostgres, freePort, MissingBinaryError, PortBusyError } from './services.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'usher-svc-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('services script', () => {
  it('starts a private redis-server with AOF and noeviction, which answers, then stops it', async () => {
    const redis = await startRedis({ dataDir: tempDir() });
    const client = new Redis(redis.url);
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(redis.port).not.toBe(6379);
    } finally {
      client.disconnect();
      await redis.stop();
    }
    const after = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    after.on('error', () => undefined);
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });

  it('starts a private PostgreSQL cluster, which answers, then stops it', async () => {
    const postgres = await startPostgres({ dataDir: tempDir(), fast: true });
    expect(postgres.port).not.toBe(5432);
    const c = new pg.Client({ connectionString: postgres.url });
    await c.connect();
    const { rows } = await c.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0]!.db).toBe('usher');
    await c.end();
    await postgres.stop();
    const again = new pg.Client({ connectionString: postgres.url, connectionTimeoutMillis: 2000 });
    await expect(again.connect()).rejects.toThrow();
  });

  it('refuses a busy port with a clear error', async () => {
    const port = await freePort();
    const blocker: Server = await new Promise((resolve) => {
      const s = createServer();
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
    try {
      await expect(startRedis({ dataDir: tempDir(), port })).rejects.toThrow(PortBusyError);
      await expect(startPostgres({ dataDir: tempDir(), port })).rejects.toThrow(/port \d+ on 127.0.0.1 is already in use/);
    } finally {
      blocker.close();
    }
  });

  it('names what to install when a binary is missing', async () => {
    await expect(startRedis({ dataDir: tempDir(), binary: '/nonexistent/redis-server' })).rejects.toThrow(MissingBinaryError);
    await expect(startRedis({ dataDir: tempDir(), binary: '/nonexistent/redis-server' })).rejects.toThrow(/apt-get install -y redis-server/);
    await expect(startPostgres({ dataDir: tempDir(), binDir: '/nonexistent/bin' })).rejects.toThrow(/apt-get install -y postgresql/);
  });
});
