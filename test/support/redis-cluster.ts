/**
 * A real local Redis Cluster for tests: 3 masters (`redis-server --cluster-enabled yes`) on free
 * loopback ports in a temp dir, joined by `redis-cli --cluster create … --cluster-replicas 0`.
 * About a second to start; stop() kills the nodes and removes the folder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { startRedis, which, MissingBinaryError, type RunningService } from '../../scripts/services.js';

const run = promisify(execFile);

export interface LocalCluster {
  nodes: { host: string; port: number }[];
  client(): Cluster;
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<LocalCluster> {
  const cli = which('redis-cli');
  if (!cli) throw new MissingBinaryError('redis-cli', 'install redis-tools (Debian: apt-get install -y redis-server)');
  const dir = mkdtempSync(path.join(tmpdir(), 'usher-cluster-'));
  const started: RunningService[] = [];
  try {
    for (let j = 0; j < masters; j++) {
      started.push(await startRedis({
        dataDir: path.join(dir, `node${j}`),
        extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `node${j}`, 'nodes.conf'), '--cluster-node-timeout', '5000', '--appendonly', 'no'],
      }));
    }
    const addresses = started.map((s) => `127.0.0.1:${s.port}`);
    await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    // wait until every node agrees the cluster is up
    for (const s of started) {
      for (let attempt = 0; ; attempt++) {
        const { stdout } = await run(cli, ['-p', String(s.port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (attempt > 100) throw new Error(`cluster node ${s.port} never reached cluster_state:ok`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    for (const s of started) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const nodes = started.map((s) => ({ host: '127.0.0.1', port: s.port }));
  return {
    nodes,
    client: () => new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 3 } }),
    async stop() {
      for (const s of started) await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
