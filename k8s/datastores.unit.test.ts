/**
 * The data-store manifests (operator CRs, not schema-validated: no Node-20 model package) are
 * checked for what Usher relies on, and for agreeing with the names the overlays point at.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { overlays } from './render/overlays.js';
import { renderOverlay } from './render/render.js';
import { BARMAN_PLUGIN, pgBackup } from './render/postgres-backups.js';
import { alerts } from './render/alerts.js';
import type { K8sObject } from './render/k8s-object.js';
import { SchemaValidator } from './validate/schema-validator.js';

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

  it('the Cluster validates against the CloudNativePG types', () => {
    const cluster = load('postgres-cnpg.yaml') as K8sObject;
    expect(new SchemaValidator().validate(cluster)).toEqual([]);
  });

  describe.each(Object.values(overlays))('PostgreSQL backups, overlay $name', (overlay) => {
    const r = renderOverlay(overlay);
    const cnpg = load('postgres-cnpg.yaml');
    const [store, schedule] = r.datastores['postgres-backup.yaml']! as unknown as [Any, Any];
    const recovery = r.optional['postgres-recovery.yaml']![0] as Any;
    const example = r.optional['secret.example.yaml']!.find((o) => o.metadata.name === pgBackup.credentialsSecret) as Any;

    it('the Cluster archives its WAL to the rendered ObjectStore, and the nightly backup goes there too', () => {
      expect(cnpg.spec.plugins).toEqual([{ name: BARMAN_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: store.metadata.name } }]);
      expect(schedule.spec).toMatchObject({ cluster: { name: cnpg.metadata.name }, method: 'plugin', pluginConfiguration: { name: BARMAN_PLUGIN }, immediate: true });
      // CloudNativePG's cron has six fields, seconds first: five would run every minute's n-th second
      expect(schedule.spec.schedule.split(' ')).toHaveLength(6);
    });

    it('the store reads its keys from the Secret the example lists', () => {
      const refs = Object.values(store.spec.configuration.s3Credentials) as { name: string; key: string }[];
      for (const ref of refs) {
        expect(ref.name).toBe(example.metadata.name);
        expect(Object.keys(example.stringData)).toContain(ref.key);
      }
      expect(store.spec.configuration.destinationPath).toMatch(/^s3:\/\/REPLACE_ME/);
    });

    it('the recovery Cluster is the running one restored from that store, archiving under a new server name', () => {
      expect(recovery.metadata.name).toBe(cnpg.metadata.name);
      expect(recovery.spec).toMatchObject({ instances: cnpg.spec.instances, storage: cnpg.spec.storage, postgresql: cnpg.spec.postgresql, imageName: cnpg.spec.imageName });
      const source = recovery.spec.externalClusters.find((c: Any) => c.name === recovery.spec.bootstrap.recovery.source);
      expect(source.plugin).toEqual({ name: BARMAN_PLUGIN, parameters: { barmanObjectName: store.metadata.name, serverName: cnpg.metadata.name } });
      // the application database and owner come back, so CloudNativePG writes usher-pg-app again
      expect(recovery.spec.bootstrap.recovery).toMatchObject({ database: cnpg.spec.bootstrap.initdb.database, owner: cnpg.spec.bootstrap.initdb.owner });
      expect(recovery.spec.bootstrap.initdb).toBeUndefined();
      const archiver = recovery.spec.plugins.find((p: Any) => p.isWALArchiver);
      expect(archiver.parameters.barmanObjectName).toBe(store.metadata.name);
      expect(archiver.parameters.serverName).not.toBe(source.plugin.parameters.serverName);
    });
  });

  it('alerts watch the backup age against the schedule and the WAL archiver', () => {
    const age = alerts.find((a) => a.alert === 'UsherPostgresBackupTooOld')!;
    expect(age.expr).toContain(`> ${pgBackup.maxAgeHours * 3600}`);
    expect(age.expr).toMatch(/absent\(/);
    expect(pgBackup.maxAgeHours).toBeGreaterThan(24); // a nightly schedule
    expect(alerts.find((a) => a.alert === 'UsherPostgresWalArchivingFailing')!.expr).toMatch(/last_failed_time.*> .*last_archived_time/);
  });
});
