/**
 * PostgreSQL backups through CloudNativePG's Barman Cloud plugin: WAL archived continuously to an
 * object store (the Cluster in k8s/datastores/postgres-cnpg.yaml names the ObjectStore as its WAL
 * archiver), a base backup every night, and the Cluster that restores from them (PITR) when the
 * record itself is lost. Postgres is the record of every sold seat and the source of an inventory
 * rebuild, so a lost database without a backup is a lost sale.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { Overlay } from './overlays.js';
import { plain, type K8sObject } from './k8s-object.js';
import type { BarmanObjectStore, CnpgCluster, CnpgScheduledBackup } from './cnpg-models.js';

export const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';

export const pgBackup = {
  objectStore: 'usher-pg-backups',
  /** Secret with the object store's keys (placeholders in optional/secret.example.yaml). */
  credentialsSecret: 'usher-pg-backup-s3',
  /** Nightly at 03:00 UTC (six fields: seconds first), away from evening on-sales. */
  schedule: '0 0 3 * * *',
  /** UsherPostgresBackupTooOld: a night's backup plus two hours of slack. */
  maxAgeHours: 26,
  /** The server name the restored cluster archives under: a restore must not write into the WAL it restores from. */
  restoredServerName: 'usher-pg-r1',
  recoverySource: 'usher-pg-backup',
} as const;

const partOf = { 'app.kubernetes.io/part-of': 'usher' };
const datastoresDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../datastores');

/** The running Cluster, as k8s/datastores/postgres-cnpg.yaml declares it. */
export function runningCluster(): CnpgCluster {
  return parse(readFileSync(path.join(datastoresDir, 'postgres-cnpg.yaml'), 'utf8')) as CnpgCluster;
}

export function objectStore(overlay: Overlay): K8sObject {
  const key = (k: string) => ({ name: pgBackup.credentialsSecret, key: k });
  const store: BarmanObjectStore = {
    apiVersion: 'barmancloud.cnpg.io/v1',
    kind: 'ObjectStore',
    metadata: { name: pgBackup.objectStore, namespace: overlay.namespace, labels: partOf },
    spec: {
      configuration: {
        destinationPath: overlay.postgresBackup.destinationPath,
        ...(overlay.postgresBackup.endpointURL ? { endpointURL: overlay.postgresBackup.endpointURL } : {}),
        s3Credentials: { accessKeyId: key('ACCESS_KEY_ID'), secretAccessKey: key('ACCESS_SECRET_KEY') },
        wal: { compression: 'gzip', maxParallel: 4 },
        data: { compression: 'gzip', jobs: 2 },
      },
      retentionPolicy: overlay.postgresBackup.retentionPolicy,
    },
  };
  return plain(store) as unknown as K8sObject;
}

export function scheduledBackup(overlay: Overlay): K8sObject {
  const backup: CnpgScheduledBackup = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'ScheduledBackup',
    metadata: { name: 'usher-pg-nightly', namespace: overlay.namespace, labels: partOf },
    spec: {
      schedule: pgBackup.schedule,
      cluster: { name: runningCluster().metadata.name! },
      // the first base backup at once: WAL alone cannot restore anything
      immediate: true,
      backupOwnerReference: 'self',
      target: 'prefer-standby',
      method: 'plugin',
      pluginConfiguration: { name: BARMAN_PLUGIN },
    },
  };
  return plain(backup) as unknown as K8sObject;
}

export function backupCredentialsExample(overlay: Overlay): K8sObject {
  const s: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: pgBackup.credentialsSecret, namespace: overlay.namespace, labels: partOf },
    type: 'Opaque',
    stringData: { ACCESS_KEY_ID: 'REPLACE_ME_ACCESS_KEY_ID', ACCESS_SECRET_KEY: 'REPLACE_ME_SECRET_ACCESS_KEY' },
  };
  return plain(s) as unknown as K8sObject;
}

/**
 * The running Cluster under the same name (so `usher-pg-app`, the `-rw` Service and the pods'
 * labels stay what Usher and its NetworkPolicies use), bootstrapped from the latest base backup
 * and WAL in the object store instead of initdb. Archiving goes on under a new server name.
 */
export function recoveryCluster(overlay: Overlay): K8sObject {
  const running = runningCluster();
  const initdb = running.spec.bootstrap?.initdb ?? {};
  const cluster: CnpgCluster = {
    apiVersion: running.apiVersion,
    kind: running.kind,
    metadata: { name: running.metadata.name, namespace: overlay.namespace, labels: { ...partOf, ...running.metadata.labels } },
    spec: {
      ...running.spec,
      bootstrap: {
        recovery: {
          source: pgBackup.recoverySource,
          // the same application database and owner: CloudNativePG writes usher-pg-app for them
          database: initdb.database, owner: initdb.owner,
        },
      },
      plugins: [{ name: BARMAN_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: pgBackup.objectStore, serverName: pgBackup.restoredServerName } }],
      externalClusters: [{ name: pgBackup.recoverySource, plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: pgBackup.objectStore, serverName: running.metadata.name! } } }],
    },
  };
  return plain(cluster) as unknown as K8sObject;
}
