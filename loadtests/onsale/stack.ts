/**
 * The stack under test, started from nothing but the repo: private Redis and PostgreSQL (a fresh
 * data folder per run, so every audit starts from an empty record), migrations, then each role as
 * its own process (`scripts/start.ts <role>`), as in production. Every child is ours, known by pid
 * (for the CPU split) and stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startPostgres, startRedis, type RunningService } from '../../scripts/services.js';
import { migrate } from '../../common/db/migrate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  edgeProcesses: number;
  tickMs: number;
  log: (line: string) => void;
  /** Keep the data folder (Redis AOF, Postgres cluster, role logs) after the run. */
  keepData: boolean;
}

export interface Stack {
  env: Record<string, string>;
  apiUrl: string;
  edgeUrl: string;
  redisUrl: string;
  databaseUrl: string;
  visitorSecret: string;
  adminToken: string;
  dataDir: string;
  /** Pids of the role processes we spawned (edge supervisor, api, worker). */
  rolePids: Record<string, number>;
  /** Where the Postgres postmaster.pid lives (its backends are not our children). */
  postgresDataDir: string;
  redisPort: number;
  /** Stops everything; the data folder stays when `keepData` (default: the option given at start). */
  stop(keepData?: boolean): Promise<void>;
}

async function waitReady(url: string, what: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} during start-up`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready at ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-loadtest-'));
  // As root, PostgreSQL runs as `postgres`, which must be able to walk into its cluster folder.
  chmodSync(dataDir, 0o755);
  const children: ChildProcess[] = [];
  const services: RunningService[] = [];
  const stopAll = async (keepData = options.keepData): Promise<void> => {
    for (const child of children.reverse()) await stopChild(child);
    for (const service of services.reverse()) await service.stop();
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    options.log('starting a private redis-server and PostgreSQL…');
    const redis = await startRedis({ dataDir: path.join(dataDir, 'redis') });
    services.push(redis);
    const postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg') });
    services.push(postgres);
    options.log('migrating…');
    await migrate(postgres.url);
    const [apiPort, edgePort, workerPort] = [await freePort(), await freePort(), await freePort()];
    const visitorSecret = `loadtest-visitor-${Math.random().toString(36).slice(2)}-0123456789abcdef`;
    const adminToken = `loadtest-admin-${Math.random().toString(36).slice(2)}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    const env: Record<string, string> = {
      NODE_ENV: 'development', LOG_LEVEL: 'warn', HOST: '127.0.0.1',
      REDIS_URL: redis.url, DATABASE_URL: postgres.url,
      API_PORT: String(apiPort), EDGE_PORT: String(edgePort), WORKER_PORT: String(workerPort),
      // internal metrics ports: any free one, so a run beside a demo or another run does not clash
      API_METRICS_PORT: '0', EDGE_METRICS_PORT: '0',
      PUBLIC_API_URL: apiUrl, PUBLIC_EDGE_URL: edgeUrl,
      EDGE_PROCESSES: String(options.edgeProcesses), EDGE_TICK_MS: String(options.tickMs),
      VISITOR_TOKEN_SECRET: visitorSecret, ADMIN_API_TOKEN: adminToken,
      PAYMENT_GATEWAY: 'demo',
      // Every fan of this test comes from a handful of loopback addresses: the per-address limits
      // (meant for one browser) would refuse them. They are still counted in Redis on every
      // request, so their cost stays in the figures.
      RATE_LIMIT_PER_IP_PER_MIN: '100000000', EDGE_CONNECTS_PER_IP_PER_MIN: '100000000', EDGE_JOINS_PER_IP_PER_MIN: '100000000',
      PG_POOL_MAX: '20', SHUTDOWN_GRACE_MS: '10000',
    };
    const roleEnv = { ...process.env, ...env };
    const rolePids: Record<string, number> = {};
    const urls: Record<string, string> = { edge: edgeUrl, api: apiUrl, worker: `http://127.0.0.1:${workerPort}` };
    for (const role of ['edge', 'api', 'worker'] as const) {
      const logFile = path.join(dataDir, `${role}.log`);
      const fd = openSync(logFile, 'a');
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts'), role], {
        cwd: root, env: roleEnv, stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      children.push(child);
      rolePids[role] = child.pid ?? 0;
      options.log(`starting ${role} (pid ${child.pid}, log ${logFile})…`);
      await waitReady(urls[role]!, role, child);
    }
    return {
      env, apiUrl, edgeUrl, redisUrl: redis.url, databaseUrl: postgres.url, visitorSecret, adminToken,
      dataDir, rolePids, postgresDataDir: postgres.dataDir, redisPort: redis.port, stop: stopAll,
    };
  } catch (err) {
    await stopAll(true).catch(() => undefined);
    throw err;
  }
}
