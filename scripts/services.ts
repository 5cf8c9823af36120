/**
 * Private Redis and PostgreSQL servers for the demo and the test suite: real servers from the
 * machine's packages, on free loopback ports, with their data under a folder of ours. Nothing here
 * touches the machine's own Redis (6379) or PostgreSQL (5432).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, chownSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';

export class MissingBinaryError extends Error {
  constructor(what: string, hint: string) {
    super(`${what} not found. ${hint}`);
    this.name = 'MissingBinaryError';
  }
}

export class PortBusyError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use; choose another or leave the port unset to pick a free one`);
    this.name = 'PortBusyError';
  }
}

export interface RunningService {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const APT_HINT_REDIS =
  'On Debian/Ubuntu: `sudo apt-get install -y redis-server` (scripts/ensure-system-deps.sh does it). ' +
  'Elsewhere install Redis 7 and put redis-server on PATH, or set REDIS_URL to a Redis you run.';
const APT_HINT_PG =
  'On Debian/Ubuntu: `sudo apt-get install -y postgresql` (scripts/ensure-system-deps.sh does it). ' +
  'Elsewhere install PostgreSQL 14+ server binaries (initdb, pg_ctl) or set DATABASE_URL to a PostgreSQL you run.';

/** Resolves a command on PATH (or the given absolute path); undefined when absent. */
export function which(command: string, envPath = process.env.PATH ?? ''): string | undefined {
  if (command.includes('/')) return existsSync(command) ? command : undefined;
  for (const dir of envPath.split(':')) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A port nothing listens on, drawn below the kernel's ephemeral range. A port the kernel picks for
 * `listen(0)` is soon handed again as the source port of some outgoing connection, so a server
 * started on it a moment later fails with EADDRINUSE (seen on a loaded machine running the suite);
 * ports below the range are never handed out that way. Ports handed out here are not repeated
 * within the process.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralRangeStart();
  for (let attempt = 0; low > MIN_DRAWN_PORT + 1_000 && attempt < 50; attempt++) {
    const port = MIN_DRAWN_PORT + Math.floor(Math.random() * (low - MIN_DRAWN_PORT));
    if (handedOut.has(port) || !(await portIsFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  return kernelPickedPort();
}

const MIN_DRAWN_PORT = 10_000;
const handedOut = new Set<number>();

function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function kernelPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, died?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const death = died?.();
    if (death) throw new Error(`${what} exited during start-up: ${death}`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exitWaiter(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

// ---------------------------------------------------------------- Redis

export interface RedisStartOptions {
  dataDir: string;
  port?: number;
  /** Path or name of redis-server (tests point it at a missing binary). */
  binary?: string;
  /** Extra `--flag value` arguments, e.g. for cluster mode. */
  extraArgs?: string[];
}

export async function startRedis(options: RedisStartOptions): Promise<RunningService> {
  const binary = which(options.binary ?? 'redis-server');
  if (!binary) throw new MissingBinaryError(`redis-server (${options.binary ?? 'redis-server'})`, APT_HINT_REDIS);
  if (options.port !== undefined && !(await portIsFree(options.port))) throw new PortBusyError(options.port);
  const port = options.port ?? (await freePort());
  mkdirSync(options.dataDir, { recursive: true });
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', options.dataDir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--logfile', path.join(options.dataDir, 'redis.log'),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(binary, args, { stdio: 'ignore' });
  let death: string | undefined;
  child.once('exit', (code, signal) => (death = `code ${code} signal ${signal}; see ${path.join(options.dataDir, 'redis.log')}`));
  child.once('error', (err) => (death = err.message));
  const url = `redis://127.0.0.1:${port}`;
  await waitUntil(`redis-server on ${port}`, async () => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }, 15_000, () => death);
  return {
    url,
    port,
    dataDir: options.dataDir,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exitWaiter(child);
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL

/** The directory holding initdb/pg_ctl/postgres: PATH first, then Debian's versioned layout. */
export function findPostgresBinDir(envPath = process.env.PATH ?? '', root = '/usr/lib/postgresql'): string | undefined {
  const onPath = which('pg_ctl', envPath);
  if (onPath && which(path.join(path.dirname(onPath), 'initdb'))) return path.dirname(onPath);
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

interface RunAs {
  /** Prefix that runs a command as the cluster's owner (empty when we are not root). */
  prefix: string[];
  uid: number | undefined;
  gid: number | undefined;
  user: string;
}

/** initdb refuses to run as root: as root we run the cluster as the `postgres` system user. */
function clusterOwner(): RunAs {
  if (process.getuid?.() !== 0) return { prefix: [], uid: undefined, gid: undefined, user: process.env.USER ?? 'current user' };
  const user = 'postgres';
  let ids: string;
  try {
    ids = execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim() + ':' + execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim();
  } catch {
    execFileSync('useradd', ['--system', '--home-dir', '/var/lib/postgresql', '--shell', '/bin/sh', user], { stdio: 'ignore' });
    ids = execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim() + ':' + execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim();
  }
  const [uid, gid] = ids.split(':').map(Number);
  const runuser = which('runuser') ?? which('/usr/sbin/runuser') ?? '/sbin/runuser';
  return { prefix: [runuser, '-u', user, '--'], uid, gid, user };
}

function canReach(owner: RunAs, dir: string): boolean {
  if (owner.prefix.length === 0) return true;
  try {
    execFileSync(owner.prefix[0]!, [...owner.prefix.slice(1), 'test', '-x', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function run(owner: RunAs, command: string, args: string[]): string {
  const [file, ...rest] = owner.prefix.length ? [...owner.prefix, command, ...args] : [command, ...args];
  return execFileSync(file!, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface PostgresStartOptions {
  dataDir: string;
  port?: number;
  /** Override of the directory with initdb/pg_ctl (tests point it at a missing one). */
  binDir?: string;
  database?: string;
  /** Durability off: only for throw-away test clusters. */
  fast?: boolean;
  /** Extra server settings (`name=value`), e.g. shared_preload_libraries=pg_stat_statements for a bench. */
  settings?: string[];
}

export async function startPostgres(options: PostgresStartOptions): Promise<RunningService> {
  const binDir = options.binDir ?? findPostgresBinDir();
  if (!binDir || !existsSync(path.join(binDir, 'initdb')) || !existsSync(path.join(binDir, 'pg_ctl'))) {
    throw new MissingBinaryError(`PostgreSQL server binaries (initdb, pg_ctl${options.binDir ? ` in ${options.binDir}` : ''})`, APT_HINT_PG);
  }
  const owner = clusterOwner();
  mkdirSync(options.dataDir, { recursive: true });
  // The postgres user must be able to walk to its data directory; a private checkout (mode 700
  // under /tmp, say) does not allow that, so the cluster then lives in a folder of its own.
  let clusterDir = path.join(path.resolve(options.dataDir), 'cluster');
  if (!canReach(owner, path.resolve(options.dataDir))) {
    clusterDir = path.join(tmpdir(), `usher-pg-${createHash('sha1').update(path.resolve(options.dataDir)).digest('hex').slice(0, 12)}`);
  }
  const database = options.database ?? 'usher';
  const logFile = path.join(clusterDir + '.log');
  const pgCtl = path.join(binDir, 'pg_ctl');

  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const runningPort = existsSync(pidFile) ? runningClusterPort(owner, pgCtl, clusterDir, pidFile) : undefined;

  let port: number;
  if (runningPort !== undefined) {
    port = runningPort;
  } else {
    if (options.port !== undefined && !(await portIsFree(options.port))) throw new PortBusyError(options.port);
    port = options.port ?? (await freePort());
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      rmSync(clusterDir, { recursive: true, force: true });
      mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
      if (owner.uid !== undefined) chownSync(clusterDir, owner.uid, owner.gid!);
      run(owner, path.join(binDir, 'initdb'), ['-D', clusterDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions']);
    }
    closeSync(openSync(logFile, 'a'));
    if (owner.uid !== undefined) chownSync(logFile, owner.uid, owner.gid!);
    const serverOptions = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=''`,
      `-c max_connections=300`,
      ...(options.fast ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
      ...(options.settings ?? []).map((s) => `-c ${s}`),
    ].join(' ');
    try {
      run(owner, pgCtl, ['-D', clusterDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
    } catch (err) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`PostgreSQL did not start on port ${port}: ${(err as Error).message}\n${log}`, { cause: err });
    }
  }
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntil(`PostgreSQL on ${port}`, async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  }, 30_000);
  await createDatabaseIfMissing(adminUrl, database);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dataDir: clusterDir,
    async stop() {
      try {
        run(owner, pgCtl, ['-D', clusterDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      } catch {
        // already stopped
      }
    },
  };
}

/** A cluster left running by an earlier demo run is reused rather than started twice. */
function runningClusterPort(owner: RunAs, pgCtl: string, clusterDir: string, pidFile: string): number | undefined {
  try {
    run(owner, pgCtl, ['-D', clusterDir, 'status']);
  } catch {
    return undefined; // stale pid file: pg_ctl start cleans it up
  }
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

export async function createDatabaseIfMissing(adminUrl: string, database: string, template?: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`bad database name ${database}`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      await c.query(`CREATE DATABASE ${database}${template ? ` TEMPLATE ${template}` : ''}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently: fine
      });
    }
  } finally {
    await c.end();
  }
}

/** Both servers, unless REDIS_URL / DATABASE_URL already name ones to use. */
export async function startServices(options: { dataDir: string; env?: NodeJS.ProcessEnv; fast?: boolean; postgresSettings?: string[]; log?: (line: string) => void }): Promise<{
  redisUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const started: RunningService[] = [];
  try {
    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      log('starting a private redis-server…');
      const r = await startRedis({ dataDir: path.join(options.dataDir, 'redis') });
      started.push(r);
      redisUrl = r.url;
    }
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      log('starting a private PostgreSQL cluster…');
      const p = await startPostgres({ dataDir: path.join(options.dataDir, 'pg'), fast: options.fast, settings: options.postgresSettings });
      started.push(p);
      databaseUrl = p.url;
    }
    log(`redis: ${redisUrl}`);
    log(`postgres: ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
    return {
      redisUrl,
      databaseUrl,
      async stop() {
        for (const s of started.reverse()) await s.stop();
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw err;
  }
}
