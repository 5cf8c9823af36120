/**
 * The image's contents, proven without a Docker engine: the Dockerfile's stages replayed in scratch
 * folders (test/support/dockerfile-replay.ts), then the runtime stage started from its own folder
 * as the image's non-root user with NODE_ENV=production and production dependencies only: the
 * migration Job first (the SQL must ship), then the ENTRYPOINT with its CMD. A failing RUN, a file
 * the runtime loads but the image lacks (Lua, SQL, pages), or a dev dependency needed at run time
 * fails here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningService } from '../../scripts/services.js';
import { emptyDatabase, type FreshDatabase } from '../support/databases.js';
import { dockerignoreMatcher, replayDockerfile, type ReplayedStage } from '../support/dockerfile-replay.js';
import { describe as output, freeRolePorts, logMessages, productionSecrets, startRoleProcess, waitForOk } from '../support/role-process.js';

const root = path.join(import.meta.dirname, '..', '..');
const progress = (line: string): void => void process.stderr.write(`[dockerfile replay] ${line}\n`);

let scratch: string;
let runtime: ReplayedStage;
let redis: RunningService;
let db: FreshDatabase;
let secrets: Record<string, string>;
// As in the image: the USER's uid, which only root can switch to; anyone else runs as themselves.
const asImageUser = (): { uid: number; gid: number } | undefined => (process.getuid?.() === 0 ? runtime.user : undefined);

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'usher-image-'));
  const npmCache = path.join(scratch, '.npm-cache');
  mkdirSync(npmCache);
  const stages = replayDockerfile({
    context: root,
    dockerfile: path.join(root, 'Dockerfile'),
    scratch,
    // npm's own cache folder for the replay: the prod-deps stage runs `npm cache clean --force`.
    runEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, npm_config_cache: npmCache, npm_config_update_notifier: 'false' },
    log: progress,
  });
  runtime = stages[stages.length - 1]!;
  redis = await startRedis({ dataDir: path.join(scratch, '.redis') });
  db = await emptyDatabase();
  secrets = await productionSecrets();
}, 600_000);

afterAll(async () => {
  await db?.drop();
  await redis?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function imageEnv(extra: Record<string, string>): Record<string, string> {
  // As the manifests give the Job and the pods: the image's ENV, the config map and the secrets.
  return { ...runtime.env, ...secrets, REDIS_URL: redis.url, DATABASE_URL: db.url, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra };
}

const app = (): string => path.join(runtime.root, runtime.workdir);

describe('the image, replayed from the Dockerfile', () => {
  it('is built on the Node release this machine runs (the one thing the replay takes from the host)', () => {
    expect(runtime.from).toMatch(new RegExp(`^node:${process.versions.node.replace(/\./g, '\\.')}-`));
  });

  it('ships the build output and production dependencies only: no sources, no tests, no dev packages', () => {
    const run = (cmd: string) => spawnSync('sh', ['-c', cmd], { cwd: app(), encoding: 'utf8' }).stdout.trim();
    expect(run('ls')).toBe(['dist', 'node_modules', 'package.json'].join('\n'));
    expect(run('find dist -name "*.test.js" -o -name "*.ts" ! -name "*.d.ts" | head -3')).toBe('');
    for (const devOnly of ['typescript', 'vitest', 'tsx', 'eslint']) expect(run(`test -e node_modules/${devOnly} && echo present || echo absent`), devOnly).toBe('absent');
  });

  it('runs as a non-root user that cannot change the application files', () => {
    expect(runtime.user?.uid).toBeGreaterThan(0);
    if (!asImageUser()) return void progress(`not root: the write check runs as uid ${process.getuid?.()}, not the image's ${runtime.user?.uid}`);
    const write = spawnSync(process.execPath, ['-e', "require('fs').writeFileSync('dist/scripts/start.js', '')"], { cwd: app(), ...asImageUser() });
    expect(write.status).not.toBe(0);
    expect(write.stderr.toString()).toMatch(/EACCES/);
  });

  it('migrates an empty database with the migration Job’s command, as the image user', () => {
    const job = spawnSync(process.execPath, ['dist/scripts/migrate-cli.js'], { cwd: app(), env: { PATH: process.env.PATH, ...imageEnv({}) }, encoding: 'utf8', timeout: 120_000, ...asImageUser() });
    expect(job.status, `${job.stdout}\n${job.stderr}`).toBe(0);
  }, 180_000);

  it('starts its ENTRYPOINT with the default CMD: every role ready, pages and assets served, then drains on SIGTERM', async () => {
    const ports = await freeRolePorts();
    const proc = startRoleProcess({
      cwd: app(),
      args: [...runtime.entrypoint.slice(1), ...runtime.cmd],
      env: imageEnv({ ...ports, PUBLIC_API_URL: `http://127.0.0.1:${ports.API_PORT}`, PUBLIC_EDGE_URL: `http://127.0.0.1:${ports.EDGE_PORT}`, SHUTDOWN_GRACE_MS: '8000' }),
      user: asImageUser(),
    });
    expect(runtime.entrypoint[0]).toBe('node');
    try {
      for (const port of [ports.API_PORT, ports.EDGE_PORT, ports.WORKER_PORT]) await waitForOk(`http://127.0.0.1:${port}/readyz`, proc, 60_000);
      for (const port of [ports.API_METRICS_PORT, ports.EDGE_METRICS_PORT, ports.WORKER_PORT]) await waitForOk(`http://127.0.0.1:${port}/metrics`, proc);
      const api = `http://127.0.0.1:${ports.API_PORT}`;
      const edge = `http://127.0.0.1:${ports.EDGE_PORT}`;
      // One of each kind of file the runtime reads from disk: pages, assets, a vendored library.
      for (const url of [`${api}/`, `${api}/assets/brand/usher.css`, `${api}/admin/dashboard`, `${api}/assets/vendor/uplot.js`, `${edge}/sales/any`, `${edge}/static/waiting-room.js`]) {
        expect((await fetch(url)).status, url).toBe(200);
      }
    } catch (err) {
      await proc.terminate();
      throw new Error(`${(err as Error).message}\n${output(proc)}`, { cause: err });
    }
    const exit = await proc.terminate();
    expect(exit, output(proc)).toMatchObject({ code: 0, signal: null });
    expect(logMessages(proc), output(proc)).toContain('shut down');
    expect(logMessages(proc).filter((m) => m === 'shutdown step failed'), output(proc)).toEqual([]);
  }, 120_000);
});

describe('dockerignoreMatcher', () => {
  const ignored = dockerignoreMatcher('node_modules\n*.log\n**/*.test.ts\nloadtests/results\n');
  it.each([
    ['node_modules/x/index.js', true],
    ['a.log', true],
    ['logs/a.log', false],
    ['checkout/x.test.ts', true],
    ['x.test.ts', true],
    ['loadtests/results/run.json', true],
    ['loadtests/bench.ts', false],
  ])('%s ignored: %s', (p, expected) => {
    expect(ignored(p)).toBe(expected);
  });
});
