/**
 * Two edge processes on a real Redis Cluster (3 masters, 1 replica each): the sale channel is
 * sharded pub/sub (SSUBSCRIBE on the node owning the sale's slot, nothing on the cluster-wide bus),
 * an offer and a pass published by the queue scripts reach a fan's socket on the other edge, and
 * an operator's ban closes the fan's sockets on both edges, and the subscription survives its
 * connection being killed and the slot's master failing over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis, type Cluster } from 'ioredis';
import { freePort } from '../scripts/services.js';
import { startRedisCluster, type LocalCluster } from '../test/support/redis-cluster.js';
import { queueKeys } from '../admission/queue-keys.js';
import { applyFanAction } from '../admission/fan-actions.js';
import { createSale, eventually, Fan, newVisitor, spawnEdge } from '../test/support/edge-test-harness.js';

let cluster: LocalCluster;
let redis: Cluster;
let edges: Awaited<ReturnType<typeof spawnEdge>>[] = [];
const nodeClients = new Map<number, Redis>();

beforeAll(async () => {
  cluster = await startRedisCluster(3, { replicas: 1 });
  redis = cluster.client();
  const seeds = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  const ports = [await freePort(), await freePort()];
  edges = await Promise.all(ports.map((p) => spawnEdge({ EDGE_PORT: String(p), REDIS_CLUSTER_NODES: seeds })));
}, 120_000);
afterAll(async () => {
  await Promise.all(edges.map((e) => e.stop()));
  for (const c of nodeClients.values()) c.disconnect();
  redis?.disconnect();
  await cluster?.stop();
});

function node(port: number): Redis {
  let c = nodeClients.get(port);
  if (!c) nodeClients.set(port, (c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 3 })));
  return c;
}

/** The port of the master owning `key`'s slot, asked of the cluster now (not a cached slot map). */
async function ownerOf(key: string): Promise<number> {
  const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
  for (const { port } of cluster.nodes) {
    const role = (await node(port).call('ROLE')) as [string];
    if (role[0] !== 'master') continue;
    const ranges = (await node(port).call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const owner = ranges.find(([lo, hi]) => lo <= slot && slot <= hi)?.[2]?.[1];
    if (owner !== undefined) return Number(owner);
  }
  throw new Error(`no master owns the slot of ${key}`);
}

/**
 * Both edges listen on `channel` on the node owning it, exactly once each: two shard-channel
 * subscribers there, on one pub/sub connection per edge process (named after its pid).
 */
async function bothEdgesSubscribed(channel: string): Promise<boolean> {
  const owner = node(await ownerOf(channel));
  const answer = (await owner.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
  const names = String(await owner.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n').map((l) => /\bname=(\S*)/.exec(l)?.[1] ?? '').filter(Boolean);
  const perEdge = edges.map((e) => names.filter((n) => n.endsWith(`-${e.child.pid}`)).length);
  return Number(answer[1]) === 2 && perEdge.every((n) => n === 1);
}

/** A fan waiting on edge B whose offer and pass (taken over HTTP on edge A) must come through the channel. */
async function passReachesOtherEdge(saleId: string): Promise<void> {
  const [a, b] = edges as [typeof edges[0], typeof edges[0]];
  const v = await newVisitor(a.url);
  const fan = await Fan.open(`${b.url.replace('http', 'ws')}/v1/sales/${saleId}/ws`);
  try {
    expect(await fan.join(v.token)).toMatchObject({ type: 'queued', state: 'waiting' });
    await fan.next('offer', 10_000);
    const res = await fetch(`${a.url}/v1/sales/${saleId}/take`, { method: 'POST', headers: { authorization: `Bearer ${v.token}` } });
    const taken = (await res.json()) as { place: string; pass: string };
    expect(taken.place).toBe('admitted');
    expect((await fan.next('admitted', 10_000)).pass).toBe(taken.pass);
  } finally {
    await fan.close();
  }
}

/** A new sale with one joined fan on each edge, once both edges listen on its channel. */
async function saleWatchedByBothEdges(): Promise<{ saleId: string; channel: string; watchers: Fan[] }> {
  const saleId = await createSale(redis, { ratePerMin: 6000 });
  const channel = queueKeys(saleId).channel;
  // both edges listen once one of their fans is in the sale: open one socket on each
  const watchers = await Promise.all(edges.map((e) => Fan.open(`${e.url.replace('http', 'ws')}/v1/sales/${saleId}/ws`)));
  for (const w of watchers) w.send({ v: 1, type: 'join', token: (await newVisitor(edges[0]!.url)).token });
  await eventually(() => bothEdgesSubscribed(channel), 10_000);
  return { saleId, channel, watchers };
}

describe('the sale channel on a Redis Cluster', () => {
  it('uses sharded pub/sub on the sale\'s slot, and carries offers and passes to a fan on another edge', async () => {
    const { saleId, channel, watchers } = await saleWatchedByBothEdges();
    for (const { port } of cluster.nodes) {
      const plain = (await node(port).call('PUBSUB', 'NUMSUB', channel)) as [string, number];
      expect(Number(plain[1]), `plain subscribers on ${port}`).toBe(0);
    }
    await passReachesOtherEdge(saleId);
    await Promise.all(watchers.map((w) => w.close()));
  });

  it('carries an operator\'s ban (SPUBLISH from the fan-action script on the sale\'s shard) to the fan\'s sockets on both edges', async () => {
    const { saleId, watchers } = await saleWatchedByBothEdges();
    const v = await newVisitor(edges[0]!.url);
    const tabs = await Promise.all(edges.map(async (e) => {
      const tab = await Fan.open(`${e.url.replace('http', 'ws')}/v1/sales/${saleId}/ws`);
      await tab.join(v.token);
      return tab;
    }));
    await applyFanAction(redis, saleId, v.visitorId, 'ban', { by: 'operator', byEmail: 'operator@usher.local', reason: 'cluster test', at: Date.now() });
    for (const tab of tabs) {
      expect(await tab.next('removed', 10_000)).toMatchObject({ reason: 'banned' });
      await eventually(() => tab.closed, 5000);
    }
    const again = await fetch(`${edges[1]!.url}/v1/sales/${saleId}/join`, { method: 'POST', headers: { authorization: `Bearer ${v.token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(again.status).toBe(403);
    await Promise.all(watchers.map((w) => w.close()));
  });

  it('subscribes again after the subscriber connection is killed', async () => {
    const { saleId, channel, watchers } = await saleWatchedByBothEdges();
    const killed = Number(await node(await ownerOf(channel)).call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
    expect(killed).toBeGreaterThanOrEqual(2);
    await eventually(() => bothEdgesSubscribed(channel), 15_000);
    await passReachesOtherEdge(saleId);
    await Promise.all(watchers.map((w) => w.close()));
  });

  it('subscribes on the new master after the sale\'s slot fails over', async () => {
    const { saleId, channel, watchers } = await saleWatchedByBothEdges();

    const oldMaster = await ownerOf(channel);
    let replica: number | undefined;
    for (const { port } of cluster.nodes) {
      const role = (await node(port).call('ROLE')) as [string, string, number];
      if (role[0] === 'slave' && Number(role[2]) === oldMaster) replica = port;
    }
    expect(replica, 'the slot owner has a replica').toBeDefined();
    // A coordinated failover; on a loaded machine it can miss Redis's 5 s manual-failover window,
    // then the replica takes over without the master's agreement (the same slot move for clients).
    expect(await node(replica!).call('CLUSTER', 'FAILOVER')).toBe('OK');
    const promoted = async (): Promise<boolean> => (await ownerOf(channel)) === replica;
    await eventually(promoted, 7_000).catch(async () => {
      expect(await node(replica!).call('CLUSTER', 'FAILOVER', 'TAKEOVER')).toBe('OK');
      await eventually(promoted, 10_000);
    });
    // the demoted node dropped its shard subscribers; both edges are back on the new master
    await eventually(() => bothEdgesSubscribed(channel), 15_000);
    await passReachesOtherEdge(saleId);
    await Promise.all(watchers.map((w) => w.close()));
  });
});
