/**
 * CloudNativePG and Barman Cloud plugin types, for the fields Usher sets. No Node-20 model package
 * ships these CRDs, so they are transcribed from the upstream Go API (cloudnative-pg `api/v1`:
 * cluster_types.go, scheduledbackup_types.go, backup_types.go; plugin-barman-cloud `api/v1`:
 * objectstore_types.go, whose `configuration` is barman-cloud's BarmanObjectStoreConfiguration),
 * field names and optionality as their `json:` tags say. Only a subset: a field Usher does not set
 * is absent here, so the strict schema (validate/strict-roots.ts) rejects it until it is added with
 * its upstream name — which is the point: a typo must not silently ship.
 */
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';

interface SecretKeySelector {
  name: string;
  key: string;
}

/** A CNPG-I plugin on a Cluster (`spec.plugins[]`, `externalClusters[].plugin`). */
export interface CnpgPluginConfiguration {
  name: string;
  enabled?: boolean;
  isWALArchiver?: boolean;
  parameters?: Record<string, string>;
}

export interface CnpgRecoveryTarget {
  backupID?: string;
  targetTLI?: string;
  targetXID?: string;
  targetName?: string;
  targetLSN?: string;
  /** RFC 3339 or PostgreSQL timestamp: point-in-time recovery up to here. */
  targetTime?: string;
  targetImmediate?: boolean;
  exclusive?: boolean;
}

export interface CnpgCluster {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Cluster';
  metadata: IObjectMeta;
  spec: {
    instances: number;
    imageName?: string;
    primaryUpdateStrategy?: 'unsupervised' | 'supervised';
    bootstrap?: {
      initdb?: { database?: string; owner?: string };
      recovery?: { source?: string; recoveryTarget?: CnpgRecoveryTarget; database?: string; owner?: string };
    };
    postgresql?: { parameters?: Record<string, string> };
    storage?: { size?: string; storageClass?: string };
    resources?: IResourceRequirements;
    monitoring?: { enablePodMonitor?: boolean; disableDefaultQueries?: boolean };
    plugins?: CnpgPluginConfiguration[];
    externalClusters?: { name: string; plugin?: CnpgPluginConfiguration }[];
  };
}

export interface CnpgScheduledBackup {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'ScheduledBackup';
  metadata: IObjectMeta;
  spec: {
    /** Six fields, seconds first (robfig/cron), unlike a CronJob's five. */
    schedule: string;
    cluster: { name: string };
    suspend?: boolean;
    immediate?: boolean;
    backupOwnerReference?: 'none' | 'self' | 'cluster';
    target?: 'primary' | 'prefer-standby';
    method?: 'barmanObjectStore' | 'volumeSnapshot' | 'plugin';
    pluginConfiguration?: { name: string; parameters?: Record<string, string> };
  };
}

type DataCompression = 'bzip2' | 'gzip' | 'lz4' | 'snappy';
type WalCompression = DataCompression | 'xz' | 'zstd';

export interface BarmanObjectStore {
  apiVersion: 'barmancloud.cnpg.io/v1';
  kind: 'ObjectStore';
  metadata: IObjectMeta;
  spec: {
    configuration: {
      destinationPath: string;
      endpointURL?: string;
      endpointCA?: SecretKeySelector;
      s3Credentials?: {
        accessKeyId?: SecretKeySelector;
        secretAccessKey?: SecretKeySelector;
        region?: SecretKeySelector;
        sessionToken?: SecretKeySelector;
        inheritFromIAMRole?: boolean;
      };
      wal?: { compression?: WalCompression; encryption?: 'AES256' | 'aws:kms'; maxParallel?: number };
      data?: { compression?: DataCompression; encryption?: 'AES256' | 'aws:kms'; jobs?: number; immediateCheckpoint?: boolean };
    };
    /** `<n>d|w|m`: base backups and WAL older than the oldest one kept are removed. */
    retentionPolicy?: string;
  };
}
