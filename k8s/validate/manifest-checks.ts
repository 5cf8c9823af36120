/**
 * Checks a schema cannot make: the manifests agree with the code. Every env var exists in
 * common/config.ts, probes hit the paths and ports the roles serve, the metrics ports stay
 * private (scraped, never routed or open to anyone), the grace period covers the drain, images
 * are pinned, secrets are referenced (never inlined), pods are hardened, and every reference
 * between objects (Service → pods, route → Service, autoscaler → Deployment) resolves.
 *
 * The expectations below are written from the roles' code, not from k8s/render, so a mistake in
 * the generator is caught rather than copied.
 */
import { variables } from '../../common/config.js';
import type { K8sObject } from '../render/k8s-object.js';
import { describe } from './schema-validator.js';

type Obj = Record<string, unknown>;
type Container = { name: string; image?: string; command?: string[]; args?: string[]; ports?: { name?: string; containerPort: number }[]; env?: { name: string; value?: string; valueFrom?: Obj }[]; envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]; startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe; lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command?: string[] } } }; securityContext?: Obj };
type Probe = { httpGet?: { path?: string; port: number | string } };
type PodSpec = { containers: Container[]; terminationGracePeriodSeconds?: number; securityContext?: Obj; automountServiceAccountToken?: boolean };

type PortVariable = 'EDGE_PORT' | 'API_PORT' | 'EDGE_METRICS_PORT' | 'API_METRICS_PORT' | 'WORKER_PORT';
interface Served {
  variable: PortVariable;
  paths: string[];
}

/**
 * What each role serves on which port (common/metrics-server.ts, checkout/api/app.ts and
 * api-role.ts, queue-edge/edge-probes.ts and edge-role.ts, checkout/worker/worker-role.ts).
 * `metrics` is internal: no route may reach it.
 */
export const served: Record<string, { public?: Served; metrics: Served }> = {
  edge: { public: { variable: 'EDGE_PORT', paths: ['/livez', '/readyz'] }, metrics: { variable: 'EDGE_METRICS_PORT', paths: ['/metrics'] } },
  api: { public: { variable: 'API_PORT', paths: ['/livez', '/readyz'] }, metrics: { variable: 'API_METRICS_PORT', paths: ['/metrics'] } },
  worker: { metrics: { variable: 'WORKER_PORT', paths: ['/livez', '/readyz', '/metrics'] } },
};

/** Variables every process needs in production (common/config.ts refuses to start without them). */
export const requiredInProduction = ['DATABASE_URL', 'PASS_SIGNING_JWKS', 'VISITOR_TOKEN_SECRET', 'AUTH_JWT_SECRET'];

/** Seconds left for exit after preStop and the drain. */
export const minGraceMarginS = 2;

const knownVariables = new Set(Object.keys(variables));
const isSecretVariable = (name: string): boolean => (variables as Record<string, { secret?: boolean }>)[name]?.secret === true;

function podSpecOf(obj: K8sObject): PodSpec | undefined {
  if (obj.kind !== 'Deployment' && obj.kind !== 'Job') return undefined;
  return ((obj.spec as Obj | undefined)?.template as Obj | undefined)?.spec as PodSpec | undefined;
}

function roleOf(c: Container): string | undefined {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const i = argv.findIndex((a) => a.endsWith('scripts/start.js'));
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The environment a container sees, as the kubelet builds it: ConfigMaps via envFrom, then env. */
function environment(c: Container, objects: K8sObject[]): Map<string, { value?: string; fromSecret: boolean }> {
  const env = new Map<string, { value?: string; fromSecret: boolean }>();
  for (const from of c.envFrom ?? []) {
    if (from.secretRef) continue;
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name);
    for (const [k, v] of Object.entries((cm?.data as Record<string, string> | undefined) ?? {})) env.set(k, { value: v, fromSecret: false });
  }
  for (const e of c.env ?? []) env.set(e.name, { value: e.value, fromSecret: Boolean(e.valueFrom?.secretKeyRef) });
  return env;
}

function resolvePort(c: Container, port: number | string): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

export function checkEnvironment(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const obj of objects) {
    const pod = podSpecOf(obj);
    for (const c of pod?.containers ?? []) {
      for (const from of c.envFrom ?? []) {
        const name = from.configMapRef?.name;
        if (name && !objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === name)) problems.push(`${describe(obj)}: envFrom ConfigMap ${name} is not rendered`);
        if (from.secretRef) problems.push(`${describe(obj)}: envFrom a whole Secret hides which variables are set; reference keys one by one`);
      }
      const env = environment(c, objects);
      for (const [name, v] of env) {
        if (!knownVariables.has(name)) problems.push(`${describe(obj)}/${c.name}: env ${name} is not a variable of common/config.ts`);
        if (isSecretVariable(name) && !v.fromSecret) problems.push(`${describe(obj)}/${c.name}: ${name} is a secret and must come from a secretKeyRef`);
      }
      for (const name of requiredInProduction) {
        if (env.get('NODE_ENV')?.value === 'production' && !env.has(name)) problems.push(`${describe(obj)}/${c.name}: ${name} is required in production but not set`);
      }
    }
  }
  return problems;
}

/** The ports a role's container listens on, as its environment sets them (the config default otherwise). */
function portsServed(c: Container, objects: K8sObject[], spec: { public?: Served; metrics: Served }): { port: number; served: Served; internal: boolean }[] {
  const env = environment(c, objects);
  const portOf = (v: PortVariable): number => Number(env.get(v)?.value ?? variables[v].default);
  return [
    ...(spec.public ? [{ port: portOf(spec.public.variable), served: spec.public, internal: false }] : []),
    { port: portOf(spec.metrics.variable), served: spec.metrics, internal: true },
  ];
}

/** Each Deployment's container with its role, or a problem when it starts none. */
function roleContainers(objects: K8sObject[], problems?: string[]): { obj: K8sObject; c: Container; role: string; ports: ReturnType<typeof portsServed> }[] {
  const out = [];
  for (const obj of objects.filter((o) => o.kind === 'Deployment')) {
    for (const c of podSpecOf(obj)?.containers ?? []) {
      const role = roleOf(c);
      const spec = role ? served[role] : undefined;
      if (!role || !spec) {
        problems?.push(`${describe(obj)}/${c.name}: command does not start a known role (${(c.command ?? []).join(' ')})`);
        continue;
      }
      out.push({ obj, c, role, ports: portsServed(c, objects, spec) });
    }
  }
  return out;
}

export function checkProbes(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { obj, c, role, ports } of roleContainers(objects, problems)) {
    for (const p of ports) if (!c.ports?.some((cp) => cp.containerPort === p.port)) problems.push(`${describe(obj)}/${c.name}: no containerPort ${p.port} (${p.served.variable})`);
    const expect = { startupProbe: '/readyz', readinessProbe: '/readyz', livenessProbe: '/livez' } as const;
    for (const [kind, path] of Object.entries(expect) as [keyof typeof expect, string][]) {
      const probe = c[kind]?.httpGet;
      if (!probe) {
        problems.push(`${describe(obj)}/${c.name}: ${kind} missing or not httpGet`);
        continue;
      }
      if (probe.path !== path) problems.push(`${describe(obj)}/${c.name}: ${kind} path ${probe.path} should be ${path}`);
      const probed = resolvePort(c, probe.port);
      const serving = ports.find((p) => p.served.paths.includes(path));
      if (serving && probed !== serving.port) problems.push(`${describe(obj)}/${c.name}: ${kind} port ${String(probe.port)} (${String(probed)}) is not the ${role} port ${serving.port} that serves ${path}`);
    }
  }
  return problems;
}

/** A NetworkPolicy peer list that admits anyone: no `from`, an empty one, an IP block, or every namespace. */
function fromAnyone(from: Obj[] | undefined): boolean {
  if (!from || from.length === 0) return true;
  return from.some((peer) => peer.ipBlock !== undefined || (peer.namespaceSelector !== undefined && Object.keys(peer.namespaceSelector as Obj).length === 0 && peer.podSelector === undefined));
}

/**
 * `/metrics` never public: no HTTPRoute or Ingress backend, and no Service of type NodePort or
 * LoadBalancer, leads to a role's metrics port; no NetworkPolicy lets anyone reach it; and the
 * ServiceMonitor scrapes exactly those ports.
 */
export function checkMetricsPrivate(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const pods = roleContainers(objects);
  const podLabels = (d: K8sObject) => (((d.spec as Obj).template as Obj).metadata as { labels?: Record<string, string> }).labels;
  type SvcPort = { name?: string; port: number; targetPort?: number | string };
  const services = objects.filter((o) => o.kind === 'Service');
  /** The container port a Service port leads to, and whether it is a metrics port. */
  const target = (svc: K8sObject, sp: SvcPort): { role: string; port: number | undefined; internal: boolean } | undefined => {
    const spec = svc.spec as { selector?: Record<string, string> };
    const pod = pods.find((p) => matches(spec.selector, podLabels(p.obj)));
    if (!pod) return undefined;
    const port = resolvePort(pod.c, sp.targetPort ?? sp.port);
    return { role: pod.role, port, internal: pod.ports.some((p) => p.internal && p.port === port) };
  };
  const routedTo = (what: string, serviceName: string, pick: (sp: SvcPort) => boolean): void => {
    const svc = services.find((s) => s.metadata.name === serviceName);
    const sp = svc ? (svc.spec as { ports: SvcPort[] }).ports.find(pick) : undefined;
    const t = svc && sp ? target(svc, sp) : undefined;
    if (t?.internal) problems.push(`${what}: backend ${serviceName}:${sp!.port} is the ${t.role} metrics port ${t.port}: /metrics would be public`);
  };
  for (const route of objects.filter((o) => o.kind === 'HTTPRoute')) {
    for (const rule of ((route.spec as Obj).rules as { backendRefs?: { name: string; port?: number }[] }[]) ?? []) {
      for (const ref of rule.backendRefs ?? []) routedTo(describe(route), ref.name, (sp) => sp.port === ref.port);
    }
  }
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    for (const rule of ((ing.spec as Obj).rules as { http?: { paths: { backend: { service?: { name: string; port: { name?: string; number?: number } } } }[] } }[]) ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const ref = path.backend.service;
        if (ref) routedTo(describe(ing), ref.name, (sp) => (ref.port.name !== undefined ? sp.name === ref.port.name : sp.port === ref.port.number));
      }
    }
  }
  for (const svc of services) {
    const type = (svc.spec as { type?: string }).type ?? 'ClusterIP';
    for (const sp of (svc.spec as { ports: SvcPort[] }).ports) {
      const t = target(svc, sp);
      if (t?.internal && type !== 'ClusterIP') problems.push(`${describe(svc)}: type ${type} exposes the ${t.role} metrics port ${t.port} outside the cluster`);
    }
  }
  for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const spec = np.spec as { podSelector?: { matchLabels?: Record<string, string> }; ingress?: { from?: Obj[]; ports?: { port?: number | string }[] }[] };
    for (const pod of pods.filter((p) => matches(spec.podSelector?.matchLabels, podLabels(p.obj)))) {
      for (const metrics of pod.ports.filter((p) => p.internal)) {
        const open = (spec.ingress ?? []).some((rule) => fromAnyone(rule.from) && (!rule.ports || rule.ports.some((rp) => rp.port === undefined || resolvePort(pod.c, rp.port) === metrics.port)));
        if (open) problems.push(`${describe(np)}: lets anyone reach the ${pod.role} metrics port ${metrics.port}`);
      }
    }
  }
  for (const sm of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const endpoints = ((sm.spec as Obj).endpoints as { port?: string }[]) ?? [];
    for (const svc of services) {
      const ports = (svc.spec as { ports: SvcPort[] }).ports;
      const scraped = endpoints.map((e) => ports.find((sp) => sp.name === e.port)).filter((sp): sp is SvcPort => sp !== undefined);
      if (scraped.length === 0 || !scraped.every((sp) => target(svc, sp)?.internal)) problems.push(`${describe(sm)}: does not scrape ${describe(svc)} on its metrics port only (endpoint ports: ${endpoints.map((e) => e.port).join(', ')})`);
    }
  }
  return problems;
}

export function checkGrace(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const obj of objects.filter((o) => o.kind === 'Deployment')) {
    const pod = podSpecOf(obj)!;
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    for (const c of pod.containers) {
      const preStop = c.lifecycle?.preStop;
      if (!preStop) problems.push(`${describe(obj)}/${c.name}: no preStop: the drain starts before endpoints are removed`);
      const sleepS = preStop?.sleep?.seconds ?? 0;
      if (preStop?.exec) problems.push(`${describe(obj)}/${c.name}: preStop exec needs a shell or binary in the image; use the sleep action`);
      const drainMs = Number(environment(c, objects).get('SHUTDOWN_GRACE_MS')?.value ?? variables.SHUTDOWN_GRACE_MS.default);
      const needed = sleepS + drainMs / 1000 + minGraceMarginS;
      if (grace < needed) problems.push(`${describe(obj)}: terminationGracePeriodSeconds ${grace} < preStop ${sleepS} s + drain ${drainMs / 1000} s + margin ${minGraceMarginS} s`);
    }
  }
  return problems;
}

export function checkPodHardening(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const obj of objects) {
    const pod = podSpecOf(obj);
    if (!pod) continue;
    const psc = pod.securityContext ?? {};
    if (psc.runAsNonRoot !== true) problems.push(`${describe(obj)}: pod runAsNonRoot must be true`);
    if ((psc.seccompProfile as Obj | undefined)?.type !== 'RuntimeDefault') problems.push(`${describe(obj)}: seccompProfile must be RuntimeDefault`);
    if (pod.automountServiceAccountToken !== false) problems.push(`${describe(obj)}: automountServiceAccountToken must be false`);
    for (const c of pod.containers) {
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${describe(obj)}/${c.name}: readOnlyRootFilesystem must be true`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${describe(obj)}/${c.name}: allowPrivilegeEscalation must be false`);
      const drop = ((sc.capabilities as Obj | undefined)?.drop as string[] | undefined) ?? [];
      if (!drop.includes('ALL')) problems.push(`${describe(obj)}/${c.name}: capabilities must drop ALL`);
      const image = c.image ?? '';
      const last = image.split('/').pop() ?? '';
      if (!last.includes('@') && (!last.includes(':') || last.endsWith(':latest'))) problems.push(`${describe(obj)}/${c.name}: image ${image} is not pinned`);
    }
  }
  return problems;
}

export function checkRollout(objects: K8sObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'Deployment')
    .filter((o) => ((o.spec as Obj).strategy as { rollingUpdate?: { maxUnavailable?: unknown } } | undefined)?.rollingUpdate?.maxUnavailable !== 0)
    .map((o) => `${describe(o)}: rolling update must have maxUnavailable: 0`);
}

/** Example Secrets only, with placeholder values; never a real-looking value. */
export function checkSecrets(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const s of objects.filter((o) => o.kind === 'Secret')) {
    const values = { ...((s.stringData as Record<string, string>) ?? {}), ...((s.data as Record<string, string>) ?? {}) };
    for (const [k, v] of Object.entries(values)) {
      if (!v.includes('REPLACE_ME')) problems.push(`${describe(s)}: ${k} is not an obvious placeholder`);
    }
  }
  return problems;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function checkReferences(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const podLabels = (d: K8sObject) => (((d.spec as Obj).template as Obj).metadata as { labels?: Record<string, string> }).labels;
  const services = objects.filter((o) => o.kind === 'Service');
  for (const svc of services) {
    const spec = svc.spec as { selector?: Record<string, string>; ports: { port: number; targetPort?: number | string }[] };
    const target = deployments.find((d) => matches(spec.selector, podLabels(d)));
    if (!target) {
      problems.push(`${describe(svc)}: selector matches no Deployment`);
      continue;
    }
    const c = podSpecOf(target)!.containers[0]!;
    for (const p of spec.ports) {
      if (resolvePort(c, p.targetPort ?? p.port) === undefined) problems.push(`${describe(svc)}: targetPort ${String(p.targetPort)} is not a port of ${describe(target)}`);
    }
  }
  for (const route of objects.filter((o) => o.kind === 'HTTPRoute')) {
    for (const rule of ((route.spec as Obj).rules as { backendRefs?: { name: string; port?: number }[] }[]) ?? []) {
      for (const ref of rule.backendRefs ?? []) {
        const svc = services.find((s) => s.metadata.name === ref.name);
        if (!svc || !(svc.spec as { ports: { port: number }[] }).ports.some((p) => p.port === ref.port)) problems.push(`${describe(route)}: backend ${ref.name}:${ref.port} is not a Service port`);
      }
    }
  }
  for (const scaler of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject')) {
    const name = ((scaler.spec as Obj).scaleTargetRef as { name: string }).name;
    if (!deployments.some((d) => d.metadata.name === name)) problems.push(`${describe(scaler)}: scales ${name}, which is not rendered`);
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const sel = ((pdb.spec as Obj).selector as { matchLabels?: Record<string, string> }).matchLabels;
    if (!deployments.some((d) => matches(sel, podLabels(d)))) problems.push(`${describe(pdb)}: selector matches no Deployment`);
  }
  return problems;
}

export function checkAll(objects: K8sObject[]): string[] {
  return [
    ...checkEnvironment(objects),
    ...checkProbes(objects),
    ...checkMetricsPrivate(objects),
    ...checkGrace(objects),
    ...checkPodHardening(objects),
    ...checkRollout(objects),
    ...checkSecrets(objects),
    ...checkReferences(objects),
  ];
}
