/**
 * What operators run: each role started from the production build (`node dist/scripts/start.js
 * <role>`, built by `npm run build` in the README's test command), ready on /readyz, then drained
 * by SIGTERM to a clean exit. A build that does not compile, a role that cannot start from dist/,
 * or a drain that hangs or fails a step fails here.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningService } from '../../scripts/services.js';
import { freshDatabase, type FreshDatabase } from '../support/databases.js';
import { describe as output, freeRolePorts, logMessages, productionSecrets, startRoleProcess, waitForOk } from '../support/role-process.js';

const root = path.join(import.meta.dirname, '..', '..');
const entry = path.join(root, 'dist', 'scripts', 'start.js');

let redis: RunningService;
let db: FreshDatabase;
let redisDir: string;

beforeAll(async () => {
  // The README's test command builds first; run alone, this file needs `npm run build`.
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (scripts/test.sh does)`);
  // A Redis of its own: production roles seed keysets and secrets other test files must not see.
  redisDir = mkdtempSync(path.join(tmpdir(), 'usher-built-roles-'));
  redis = await startRedis({ dataDir: redisDir });
  db = await freshDatabase();
});

afterAll(async () => {
  await db?.drop();
  await redis?.stop();
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
});

const probePort = { edge: 'EDGE_PORT', api: 'API_PORT', worker: 'WORKER_PORT' } as const;
const metricsPort = { edge: 'EDGE_METRICS_PORT', api: 'API_METRICS_PORT', worker: 'WORKER_PORT' } as const;

describe('the production build', () => {
  it('emits no test code: no test files, no test kits, no load tests', () => {
    const files = readdirSync(path.join(root, 'dist'), { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => /\.test\.js$|^(test|loadtests|k8s)(\/|$)/.test(f))).toEqual([]);
    expect(files).toContain(path.join('scripts', 'start.js'));
  });

  it.each(Object.keys(probePort) as (keyof typeof probePort)[])('starts %s from dist/, is ready, and drains on SIGTERM', async (role) => {
    const ports = await freeRolePorts();
    const proc = startRoleProcess({
      cwd: root,
      args: ['dist/scripts/start.js', role],
      env: {
        NODE_ENV: 'production',
        ...(await productionSecrets()),
        ...ports,
        HOST: '127.0.0.1',
        REDIS_URL: redis.url,
        DATABASE_URL: db.url,
        PUBLIC_API_URL: `http://127.0.0.1:${ports.API_PORT}`,
        PUBLIC_EDGE_URL: `http://127.0.0.1:${ports.EDGE_PORT}`,
        SHUTDOWN_GRACE_MS: '8000',
        LOG_LEVEL: 'info',
      },
    });
    const base = `http://127.0.0.1:${ports[probePort[role]]}`;
    try {
      await waitForOk(`${base}/readyz`, proc);
      expect((await fetch(`${base}/livez`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports[metricsPort[role]]}/metrics`)).status).toBe(200);
    } catch (err) {
      await proc.terminate();
      throw err;
    }
    const exit = await proc.terminate();
    const messages = logMessages(proc);
    expect(exit, output(proc)).toMatchObject({ code: 0, signal: null });
    expect(messages, output(proc)).toContain('shutting down');
    expect(messages, output(proc)).toContain('shut down');
    expect(messages.filter((m) => m === 'shutdown step failed'), output(proc)).toEqual([]);
    // After the drain the port is closed: nothing is left listening.
    await expect(fetch(`${base}/livez`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
  });
});
