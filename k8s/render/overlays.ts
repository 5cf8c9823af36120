/**
 * What differs between environments. Everything else is the base (the builders in this folder).
 * Kept as data so a reviewer can compare dev and prod in one screen, as with kustomize overlays.
 */
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { RoleName } from './roles.js';

type ILabelSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];

export interface Resources {
  cpu: string;
  memory: string;
  /** Limits: memory only for edge/api (a CPU limit throttles the event loop and delays ticks). */
  cpuLimit?: string;
  memoryLimit: string;
}

export interface Overlay {
  name: 'dev' | 'prod';
  namespace: string;
  /** Pinned image, never `:latest`. CI rewrites the tag per release (`npm run k8s:render -- --image=…`). */
  image: string;
  hosts: { edge: string; api: string };
  gateway: { name: string; namespace: string };
  ingressClassName: string;
  replicas: Record<RoleName, { min: number; max: number }>;
  resources: Record<RoleName, Resources>;
  /** Non-secret settings for every role (ConfigMap). Names are checked against common/config.ts. */
  env: Record<string, string>;
  /** Per-role overrides (a Deployment's own `env`). */
  roleEnv: Record<RoleName, Record<string, string>>;
  /** Connected fans per edge pod the HPA aims for. */
  fansPerEdgePod: number;
  /** Waiting BullMQ jobs per worker pod KEDA aims for. */
  waitingJobsPerWorker: number;
  prometheusUrl: string;
  /** Label selectors of the data stores' pods (NetworkPolicy egress). */
  redisPods: ILabelSelector;
  postgresPods: ILabelSelector;
  /** Namespace of the Prometheus that scrapes us (NetworkPolicy ingress to every role's metrics port). */
  monitoringNamespace: string;
  /** Secret with the database URI (CloudNativePG writes `<cluster>-app` with key `uri`). */
  databaseSecret: { name: string; key: string };
  /** Where PostgreSQL's base backups and WAL go (placeholders: your bucket; keys in `usher-pg-backup-s3`). */
  postgresBackup: { destinationPath: string; endpointURL?: string; retentionPolicy: string };
}

const image = 'registry.example.com/usher/usher:0.1.0';

export const overlays: Record<Overlay['name'], Overlay> = {
  dev: {
    name: 'dev',
    namespace: 'usher-dev',
    image,
    hosts: { edge: 'queue.dev.usher.example.com', api: 'shop.dev.usher.example.com' },
    gateway: { name: 'public', namespace: 'gateway-system' },
    ingressClassName: 'nginx',
    replicas: { edge: { min: 1, max: 2 }, api: { min: 1, max: 2 }, worker: { min: 1, max: 2 } },
    resources: {
      edge: { cpu: '100m', memory: '256Mi', memoryLimit: '512Mi' },
      api: { cpu: '100m', memory: '256Mi', memoryLimit: '512Mi' },
      worker: { cpu: '100m', memory: '256Mi', memoryLimit: '512Mi' },
    },
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      // dev runs one Redis (no cluster): cheaper, same keys (hash tags are harmless there).
      REDIS_URL: 'redis://usher-redis.usher-dev.svc:6379',
      PUBLIC_API_URL: 'https://shop.dev.usher.example.com',
      PUBLIC_EDGE_URL: 'https://queue.dev.usher.example.com',
      PASS_JWKS_URL: 'http://usher-edge.usher-dev.svc:9001/.well-known/jwks.json',
      PAYMENT_GATEWAY: 'demo',
      TRUST_PROXY: 'true',
      PG_POOL_MAX: '5',
    },
    roleEnv: { edge: { EDGE_PROCESSES: '1' }, api: {}, worker: { WORKER_CONCURRENCY: '4' } },
    fansPerEdgePod: 5000,
    waitingJobsPerWorker: 50,
    prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090',
    redisPods: { matchLabels: { app: 'usher-redis' } },
    postgresPods: { matchLabels: { 'cnpg.io/cluster': 'usher-pg' } },
    monitoringNamespace: 'monitoring',
    databaseSecret: { name: 'usher-pg-app', key: 'uri' },
    postgresBackup: { destinationPath: 's3://REPLACE_ME-usher-pg-backups/dev', retentionPolicy: '7d' },
  },
  prod: {
    name: 'prod',
    namespace: 'usher',
    image,
    hosts: { edge: 'queue.usher.example.com', api: 'shop.usher.example.com' },
    gateway: { name: 'public', namespace: 'gateway-system' },
    ingressClassName: 'nginx',
    replicas: { edge: { min: 3, max: 20 }, api: { min: 3, max: 20 }, worker: { min: 2, max: 12 } },
    resources: {
      // Two edge processes per pod share the port (EDGE_PROCESSES): two cores requested.
      edge: { cpu: '2', memory: '1Gi', memoryLimit: '2Gi' },
      api: { cpu: '1', memory: '512Mi', memoryLimit: '1Gi' },
      worker: { cpu: '500m', memory: '512Mi', cpuLimit: '2', memoryLimit: '1Gi' },
    },
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      // One seed is enough: ioredis asks it for CLUSTER SLOTS and connects to every node it names.
      REDIS_CLUSTER_NODES: 'usher-redis-leader.usher.svc:6379',
      PUBLIC_API_URL: 'https://shop.usher.example.com',
      PUBLIC_EDGE_URL: 'https://queue.usher.example.com',
      PASS_JWKS_URL: 'http://usher-edge.usher.svc:9001/.well-known/jwks.json',
      PAYMENT_GATEWAY: 'stripe',
      TRUST_PROXY: 'true',
      PG_POOL_MAX: '10',
      CLAIM_TIMEOUT_S: '120',
    },
    roleEnv: { edge: { EDGE_PROCESSES: '2' }, api: {}, worker: { WORKER_CONCURRENCY: '16' } },
    fansPerEdgePod: 20000,
    waitingJobsPerWorker: 200,
    prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090',
    // Followers become leaders on failover: allow both (labels set by the OT redis-operator).
    redisPods: { matchExpressions: [{ key: 'app', operator: 'In', values: ['usher-redis-leader', 'usher-redis-follower'] }] },
    postgresPods: { matchLabels: { 'cnpg.io/cluster': 'usher-pg' } },
    monitoringNamespace: 'monitoring',
    databaseSecret: { name: 'usher-pg-app', key: 'uri' },
    postgresBackup: { destinationPath: 's3://REPLACE_ME-usher-pg-backups/prod', retentionPolicy: '30d' },
  },
};

export function withImage(overlay: Overlay, image: string | undefined): Overlay {
  return image ? { ...overlay, image } : overlay;
}
