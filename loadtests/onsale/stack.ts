/**
 * The stack under test, started from nothing but the repo: private Redis and PostgreSQL (a fresh
 * data folder per run, so every audit starts from an empty record), migrations, then each role as
 * its own process (`scripts/start.ts <role>`), as in production. Every child is ours, known by pid
 * (for the CPU split) and stopped at the end. The drills (loadtests/drills/) break it on purpose
 * through the `faults` handles: kill and restart a role, restart Redis on its AOF, stop and start
 * PostgreSQL on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startPostgres, startRedis, type RunningService } from '../../scripts/services.js';
import { childrenNamed } from './cpu-tree.js';
import { migrate } from '../../common/db/migrate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  edgeProcesses: number;
  tickMs: number;
  log: (line: string) => void;
  /** Keep the data folder (Redis AOF, Postgres cluster, role logs) after the run. */
  keepData: boolean;
  /** Extra role environment (drills shorten timeouts with it). */
  env?: Record<string, string>;
}

export type RoleName = 'edge' | 'api' | 'worker';

/** What the drills break and mend. Every wait polls for the condition, bounded. */
export interface StackFaults {
  /** Signals the role's process and waits until it exited. */
  killRole(role: RoleName, signal: NodeJS.Signals): Promise<void>;
  /** Starts the role again (after killRole) and waits for its /readyz. */
  startRole(role: RoleName): Promise<void>;
  /** Whether the role's /readyz answers 200 now. */
  roleReady(role: RoleName): Promise<boolean>;
  /** Pids of the edge processes the edge supervisor forked (EDGE_PROCESSES > 1). */
  edgeProcessPids(): number[];
  /** Stops redis-server (SIGTERM flushes the AOF, SIGKILL loses up to appendfsync's second). */
  stopRedis(signal: NodeJS.Signals): Promise<void>;
  /** Starts redis-server again on the same port and data folder: it loads its AOF. */
  startRedis(): Promise<void>;
  stopPostgres(): Promise<void>;
  /** Starts the same PostgreSQL cluster again on the same port. */
  startPostgres(): Promise<void>;
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
  faults: StackFaults;
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
  const children = new Map<RoleName, ChildProcess>();
  let redis: RunningService | undefined;
  let postgres: RunningService | undefined;
  const stopAll = async (keepData = options.keepData): Promise<void> => {
    for (const role of ['worker', 'api', 'edge'] as const) {
      const child = children.get(role);
      if (child) await stopChild(child);
    }
    await postgres?.stop();
    await redis?.stop();
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    options.log('starting a private redis-server and PostgreSQL…');
    redis = await startRedis({ dataDir: path.join(dataDir, 'redis') });
    postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg') });
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
      ...options.env,
    };
    const roleEnv = { ...process.env, ...env };
    const rolePids: Record<string, number> = {};
    const urls: Record<RoleName, string> = { edge: edgeUrl, api: apiUrl, worker: `http://127.0.0.1:${workerPort}` };
    const spawnRole = async (role: RoleName): Promise<void> => {
      const logFile = path.join(dataDir, `${role}.log`);
      const fd = openSync(logFile, 'a');
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts'), role], {
        cwd: root, env: roleEnv, stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      children.set(role, child);
      rolePids[role] = child.pid ?? 0;
      options.log(`starting ${role} (pid ${child.pid}, log ${logFile})…`);
      await waitReady(urls[role], role, child);
    };
    for (const role of ['edge', 'api', 'worker'] as const) await spawnRole(role);
    const redisService = redis;
    const postgresService = postgres;
    const faults: StackFaults = {
      async killRole(role, signal) {
        const child = children.get(role);
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill(signal);
        });
      },
      startRole: spawnRole,
      async roleReady(role) {
        try {
          return (await fetch(`${urls[role]}/readyz`, { signal: AbortSignal.timeout(2000) })).ok;
        } catch {
          return false;
        }
      },
      edgeProcessPids: () => childrenNamed(rolePids.edge ?? 0, 'node'),
      async stopRedis(signal) {
        if (signal === 'SIGTERM') return redis?.stop();
        const pids = childrenNamed(process.pid, 'redis-server').filter((pid) => isRedisOn(pid, redisService.port));
        for (const pid of pids) process.kill(pid, signal);
        await waitFor(() => pids.every((pid) => !alive(pid)), 10_000, 'redis-server to exit');
      },
      async startRedis() {
        redis = await startRedis({ dataDir: redisService.dataDir, port: redisService.port });
      },
      stopPostgres: () => (postgres ?? postgresService).stop(),
      async startPostgres() {
        postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg'), port: postgresService.port });
      },
    };
    return {
      env, apiUrl, edgeUrl, redisUrl: redis.url, databaseUrl: postgres.url, visitorSecret, adminToken,
      dataDir, rolePids, postgresDataDir: postgres.dataDir, redisPort: redis.port, faults, stop: stopAll,
    };
  } catch (err) {
    await stopAll(true).catch(() => undefined);
    throw err;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isRedisOn(pid: number, port: number): boolean {
  try {
    // redis-server rewrites its title to `redis-server 127.0.0.1:<port>` (else: its `--port` argument)
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(`:${port}`) || cmdline.includes(`\0${port}\0`);
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
