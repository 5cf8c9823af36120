/**
 * The three roles as the process serves them (scripts/start.ts, common/probe-server.ts,
 * checkout/api/app.ts, queue-edge/edge-role.ts). Ports come from the config schema's defaults so
 * a changed default moves the manifests with it; the drain budget per role is set here.
 */
import { variables } from '../../common/config.js';
import { EDGE_NODE_FLAGS } from '../../queue-edge/edge-node-flags.js';

export type RoleName = 'edge' | 'api' | 'worker';
export const roleNames: RoleName[] = ['edge', 'api', 'worker'];

export interface Role {
  name: RoleName;
  portVariable: 'EDGE_PORT' | 'API_PORT' | 'WORKER_PORT';
  port: number;
  /** SHUTDOWN_GRACE_MS for this role: the bounded drain after SIGTERM. */
  shutdownGraceMs: number;
  /** What the drain waits for, for the README and the grace-period comment. */
  drains: string;
  /** V8 flags of the role's `node` command. */
  nodeFlags: readonly string[];
}

function defaultPort(name: Role['portVariable']): number {
  return Number(variables[name].default);
}

export const roles: Record<RoleName, Role> = {
  edge: {
    name: 'edge',
    portVariable: 'EDGE_PORT',
    port: defaultPort('EDGE_PORT'),
    // Fans are told to reconnect elsewhere and keep their place; spreading 20k reconnects takes time.
    shutdownGraceMs: 15_000,
    drains: 'stops accepting sockets, tells every fan to reconnect (their place is kept), closes sockets',
    // A small young generation: memory per fan is what limits an edge (queue-edge/edge-node-flags.ts).
    nodeFlags: EDGE_NODE_FLAGS,
  },
  api: {
    name: 'api',
    portVariable: 'API_PORT',
    port: defaultPort('API_PORT'),
    shutdownGraceMs: 10_000,
    drains: 'stops accepting, finishes in-flight requests, closes idle keep-alive sockets',
    nodeFlags: [],
  },
  worker: {
    name: 'worker',
    portVariable: 'WORKER_PORT',
    port: defaultPort('WORKER_PORT'),
    // worker.close() waits for in-flight commit jobs (Postgres transaction + Stripe capture).
    shutdownGraceMs: 25_000,
    drains: 'worker.close(): takes no new jobs, waits for in-flight commits, releases the rest',
    nodeFlags: [],
  },
};

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
