/**
 * The three roles as the process serves them (scripts/start.ts, common/metrics-server.ts,
 * checkout/api/api-role.ts, queue-edge/edge-role.ts). Ports come from the config schema's defaults
 * so a changed default moves the manifests with it; the drain budget per role is set here.
 */
import { variables } from '../../common/config.js';
import { EDGE_NODE_FLAGS } from '../../queue-edge/edge-node-flags.js';

export type RoleName = 'edge' | 'api' | 'worker';
export const roleNames: RoleName[] = ['edge', 'api', 'worker'];

/** Container and Service port names: the HTTPRoutes name only `http`, the ServiceMonitor only `metrics`. */
export const portNames = { public: 'http', metrics: 'metrics' } as const;

export interface RolePort<V extends string> {
  variable: V;
  port: number;
}

export interface Role {
  name: RoleName;
  /** What fans reach through the gateway (and where the kubelet probes); the worker has none. */
  publicPort?: RolePort<'EDGE_PORT' | 'API_PORT'>;
  /** Internal: Prometheus scrapes `/metrics` here; no route, and only the monitoring namespace, reaches it. */
  metricsPort: RolePort<'EDGE_METRICS_PORT' | 'API_METRICS_PORT' | 'WORKER_PORT'>;
  /** SHUTDOWN_GRACE_MS for this role: the bounded drain after SIGTERM. */
  shutdownGraceMs: number;
  /** What the drain waits for, for the README and the grace-period comment. */
  drains: string;
  /** V8 flags of the role's `node` command. */
  nodeFlags: readonly string[];
}

function port<V extends keyof typeof variables>(variable: V): RolePort<V> {
  return { variable, port: Number((variables[variable] as { default?: string }).default) };
}

export const roles: Record<RoleName, Role> = {
  edge: {
    name: 'edge',
    publicPort: port('EDGE_PORT'),
    metricsPort: port('EDGE_METRICS_PORT'),
    // Fans are told to reconnect elsewhere and keep their place; spreading 20k reconnects takes time.
    shutdownGraceMs: 15_000,
    drains: 'stops accepting sockets, tells every fan to reconnect (their place is kept), closes sockets',
    // A small young generation: memory per fan is what limits an edge (queue-edge/edge-node-flags.ts).
    nodeFlags: EDGE_NODE_FLAGS,
  },
  api: {
    name: 'api',
    publicPort: port('API_PORT'),
    metricsPort: port('API_METRICS_PORT'),
    shutdownGraceMs: 10_000,
    drains: 'stops accepting, finishes in-flight requests, closes idle keep-alive sockets',
    nodeFlags: [],
  },
  worker: {
    name: 'worker',
    // The worker serves nothing public: its one port carries its probes and metrics.
    metricsPort: port('WORKER_PORT'),
    // worker.close() waits for in-flight commit jobs (Postgres transaction + Stripe capture).
    shutdownGraceMs: 25_000,
    drains: 'worker.close(): takes no new jobs, waits for in-flight commits, releases the rest',
    nodeFlags: [],
  },
};

/** The role's ports by name, as its container and its Service list them. */
export function portsOf(role: Role): { name: string; port: number }[] {
  return [
    ...(role.publicPort ? [{ name: portNames.public, port: role.publicPort.port }] : []),
    { name: portNames.metrics, port: role.metricsPort.port },
  ];
}

/** The port the kubelet probes: the public one (its readiness is the listener's), else the worker's only port. */
export const probePortName = (role: Role): string => (role.publicPort ? portNames.public : portNames.metrics);

/** Seconds the kubelet waits in preStop before SIGTERM: lets endpoints and gateways drop the pod first. */
export const preStopSleepS = 5;
/** Slack after the drain for exit and log flush. */
export const graceMarginS = 5;

export function terminationGraceS(role: Role): number {
  return preStopSleepS + Math.ceil(role.shutdownGraceMs / 1000) + graceMarginS;
}

export const labelsOf = (role: RoleName | 'migrate'): Record<string, string> => ({
  'app.kubernetes.io/name': 'usher',
  'app.kubernetes.io/part-of': 'usher',
  'app.kubernetes.io/component': role,
});

export const selectorOf = (role: RoleName | 'migrate'): Record<string, string> => ({
  'app.kubernetes.io/name': 'usher',
  'app.kubernetes.io/component': role,
});
