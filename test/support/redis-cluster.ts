/**
 * A real local Redis Cluster for tests: 3 masters (`redis-server --cluster-enabled yes`) on free
 * loopback ports in a temp dir, joined by `redis-cli --cluster create … --cluster-replicas 0`.
 * About a second to start; stop() kills the nodes and removes the folder. With `replicas: 1` each
 * master gets a replica (in sync before this returns), so tests can fail a master over.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { freePort, startRedis, which, MissingBinaryError, type RunningService } from '../../scripts/services.js';

const run = promisify(execFile);

export interface LocalCluster {
  nodes: { host: string; port: number }[];
  client(): Cluster;
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3, { replicas = 0 }: { replicas?: number } = {}): Promise<LocalCluster> {
  const cli = which('redis-cli');
  if (!cli) throw new MissingBinaryError('redis-cli', 'install redis-tools (Debian: apt-get install -y redis-server)');
  const dir = mkdtempSync(path.join(tmpdir(), 'usher-cluster-'));
  const started: RunningService[] = [];
  try {
    for (let j = 0; j < masters * (1 + replicas); j++) {
      // the bus port would default to port + 10,000: inside the ephemeral range, where any
      // outgoing connection of a busy machine may hold it, so it is drawn like the port itself
      const busPort = await freePort();
      started.push(await startRedis({
        dataDir: path.join(dir, `node${j}`),
        extraArgs: [
          '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `node${j}`, 'nodes.conf'), '--cluster-node-timeout', '5000', '--appendonly', 'no',
          '--repl-diskless-sync-delay', '0', '--cluster-port', String(busPort),
        ],
      }));
    }
    const addresses = started.map((s) => `127.0.0.1:${s.port}`);
    await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes']);
    // wait until every node agrees the cluster is up
    for (const s of started) {
      for (let attempt = 0; ; attempt++) {
        const { stdout } = await run(cli, ['-p', String(s.port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (attempt > 100) throw new Error(`cluster node ${s.port} never reached cluster_state:ok`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // and, with replicas, until every replica has synced with its master
    for (const s of replicas > 0 ? started : []) {
      for (let attempt = 0; ; attempt++) {
        const { stdout } = await run(cli, ['-p', String(s.port), 'info', 'replication']);
        if (stdout.includes('role:master') || stdout.includes('master_link_status:up')) break;
        if (attempt > 100) throw new Error(`cluster replica ${s.port} never synced with its master`);
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
