/**
 * The data-store manifests (operator CRs, not schema-validated: no Node-20 model package) are
 * checked for what Usher relies on, and for agreeing with the names the overlays point at.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { overlays } from './render/overlays.js';

const dir = path.join(import.meta.dirname, 'datastores');
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (file: string): Any => parse(readFileSync(path.join(dir, file), 'utf8')) as Any;

describe('data stores', () => {
  it('every file parses as YAML', () => {
    for (const f of ['postgres-cnpg.yaml', 'redis-config.yaml', 'redis-cluster.yaml', 'redis-standalone.yaml']) {
      const docs = parseAllDocuments(readFileSync(path.join(dir, f), 'utf8'));
      expect(docs.flatMap((d) => d.errors), f).toEqual([]);
    }
  });

  it('Redis keeps AOF on and never evicts', () => {
    const conf = (load('redis-config.yaml').data['redis-additional.conf'] as string).split('\n').map((l) => l.trim());
    expect(conf).toContain('appendonly yes');
    expect(conf).toContain('maxmemory-policy noeviction');
    expect(conf.some((l) => /^maxmemory \d+[kmg]b$/.test(l))).toBe(true);
  });

  it('both Redis CRs mount that config, persist, and export metrics for the memory alert', () => {
    const cluster = load('redis-cluster.yaml');
    expect(cluster.spec.redisLeader.redisConfig.additionalRedisConfig).toBe('usher-redis-config');
    expect(cluster.spec.redisFollower.redisConfig.additionalRedisConfig).toBe('usher-redis-config');
    expect(cluster.spec.persistenceEnabled).toBe(true);
    expect(cluster.spec.redisExporter.enabled).toBe(true);
    const single = load('redis-standalone.yaml');
    expect(single.spec.redisConfig.additionalRedisConfig).toBe('usher-redis-config');
    expect(single.spec.redisExporter.enabled).toBe(true);
  });

  it('maxmemory stays below the Redis container memory limit', () => {
    const conf = load('redis-config.yaml').data['redis-additional.conf'] as string;
    const gb = Number(/maxmemory (\d+)gb/.exec(conf)?.[1]);
    for (const f of ['redis-cluster.yaml', 'redis-standalone.yaml']) {
      const limit = load(f).spec.kubernetesConfig.resources.limits.memory as string;
      expect(Number(limit.replace('Gi', '')), f).toBeGreaterThan(gb);
    }
  });

  it('the overlays point at the names these CRs create', () => {
    const cnpg = load('postgres-cnpg.yaml');
    const redisName = load('redis-cluster.yaml').metadata.name as string;
    for (const o of Object.values(overlays)) {
      expect(o.databaseSecret).toEqual({ name: `${cnpg.metadata.name}-app`, key: 'uri' });
      expect(o.postgresPods.matchLabels).toEqual({ 'cnpg.io/cluster': cnpg.metadata.name });
    }
    expect(cnpg.spec.bootstrap.initdb.database).toBe('usher');
    expect(overlays.prod.env.REDIS_CLUSTER_NODES).toMatch(new RegExp(`^${redisName}-leader\\.`));
    expect(overlays.dev.env.REDIS_URL).toMatch(new RegExp(`^redis://${load('redis-standalone.yaml').metadata.name}\\.`));
  });
});
