/**
 * The validation must be able to fail: each case breaks one rendered object the way a hand edit
 * would, and expects the schema validator or a manifest check to name the problem.
 */
import { describe, expect, it } from 'vitest';
import { overlays } from './render/overlays.js';
import { allObjects, renderOverlay } from './render/render.js';
import type { K8sObject } from './render/k8s-object.js';
import { SchemaValidator } from './validate/schema-validator.js';
import { checkAll } from './validate/manifest-checks.js';

const validator = new SchemaValidator();
const pristine = allObjects(renderOverlay(overlays.prod));

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A deep copy of the rendered set with `mutate` applied to the first object matching kind/name. */
function broken(kind: string, name: string, mutate: (o: Any) => void): K8sObject[] {
  const copy = structuredClone(pristine);
  const target = copy.find((o) => o.kind === kind && o.metadata.name === name);
  if (!target) throw new Error(`no ${kind}/${name}`);
  mutate(target as Any);
  return copy;
}

const problems = (objects: K8sObject[]): string[] => [...objects.flatMap((o) => validator.validate(o)), ...checkAll(objects)];
const container = (d: Any, i = 0): Any => d.spec.template.spec.containers[i];

describe('a deliberately broken manifest is caught', () => {
  it('the pristine render has no problems (baseline)', () => {
    expect(problems(pristine)).toEqual([]);
  });

  it.each([
    ['misspelt probe field in a Deployment', 'Deployment', 'usher-edge', (d: Any) => (container(d).readinesProbe = container(d).readinessProbe), /additional properties 'readinesProbe'/],
    ['unknown field in pod securityContext', 'Deployment', 'usher-api', (d: Any) => (d.spec.template.spec.securityContext.runAsRoot = false), /'runAsRoot'/],
    ['unknown top-level spec field in a Service', 'Service', 'usher-api', (s: Any) => (s.spec.port = 8080), /'port'/],
    ['unknown field in the KEDA ScaledObject', 'ScaledObject', 'usher-worker', (s: Any) => (s.spec.triggers[0].threshold = '100'), /'threshold'/],
    ['unknown field in the HTTPRoute timeouts', 'HTTPRoute', 'usher-edge', (r: Any) => (r.spec.rules[0].timeouts.idle = '0s'), /'idle'/],
    ['unknown field in a PrometheusRule rule', 'PrometheusRule', 'usher', (r: Any) => (r.spec.groups[0].rules[0].severity = 'critical'), /'severity'/],
    ['misspelt credentials in the backup ObjectStore', 'ObjectStore', 'usher-pg-backups', (o: Any) => (o.spec.configuration.s3Credential = o.spec.configuration.s3Credentials), /'s3Credential'/],
    ['a ScheduledBackup without its cluster', 'ScheduledBackup', 'usher-pg-nightly', (b: Any) => delete b.spec.cluster, /must have required property 'cluster'/],
    ['an unknown backup method', 'ScheduledBackup', 'usher-pg-nightly', (b: Any) => (b.spec.method = 'barmanCloud'), /must be equal to one of the allowed values/],
    ['the recovery Cluster with a misspelt bootstrap', 'Cluster', 'usher-pg', (c: Any) => (c.spec.bootstrap.recover = c.spec.bootstrap.recovery), /'recover'/],
    ['unknown field in the ServiceMonitor endpoint', 'ServiceMonitor', 'usher', (r: Any) => (r.spec.endpoints[0].metricsPath = '/metrics'), /'metricsPath'/],
    ['wrong type (replicas as a string)', 'Deployment', 'usher-worker', (d: Any) => (d.spec.replicas = '2'), /replicas/],
    ['missing required field (container name)', 'Deployment', 'usher-worker', (d: Any) => delete container(d).name, /name/],
  ])('schema: %s', (_what, kind, name, mutate, expected) => {
    const found = problems(broken(kind, name, mutate));
    expect(found.join('\n')).toMatch(expected);
  });

  it.each([
    ['probe on the wrong port', 'Deployment', 'usher-edge', (d: Any) => (container(d).livenessProbe.httpGet.port = 8080), /livenessProbe port 8080 .* not the edge port 9001/],
    ['probe on a port name that does not exist', 'Deployment', 'usher-api', (d: Any) => (container(d).readinessProbe.httpGet.port = 'admin'), /readinessProbe port admin \(undefined\)/],
    ['readiness probed on the metrics port', 'Deployment', 'usher-api', (d: Any) => (container(d).readinessProbe.httpGet.port = 'metrics'), /readinessProbe port metrics \(9103\) is not the api port 8080 that serves \/readyz/],
    ['metrics port dropped from the container', 'Deployment', 'usher-edge', (d: Any) => (container(d).ports = container(d).ports.filter((p: Any) => p.name !== 'metrics')), /no containerPort 9101 \(EDGE_METRICS_PORT\)/],
    ['liveness checking dependencies', 'Deployment', 'usher-worker', (d: Any) => (container(d).livenessProbe.httpGet.path = '/readyz'), /livenessProbe path \/readyz should be \/livez/],
    ['container port moved away from the role port', 'Deployment', 'usher-api', (d: Any) => (container(d).ports[0].containerPort = 3000), /no containerPort 8080/],
    ['env var unknown to common/config.ts', 'Deployment', 'usher-api', (d: Any) => container(d).env.push({ name: 'REDIS_HOST', value: 'redis' }), /REDIS_HOST is not a variable of common\/config.ts/],
    ['ConfigMap key unknown to common/config.ts', 'ConfigMap', 'usher-config', (c: Any) => (c.data.EDGE_TICK = '1000'), /EDGE_TICK is not a variable/],
    ['required secret variable missing', 'Deployment', 'usher-edge', (d: Any) => (container(d).env = container(d).env.filter((e: Any) => e.name !== 'PASS_SIGNING_JWKS')), /PASS_SIGNING_JWKS is required in production/],
    ['secret inlined as a value', 'Deployment', 'usher-api', (d: Any) => container(d).env.push({ name: 'STRIPE_SECRET_KEY', value: 'sk_live_x' }), /STRIPE_SECRET_KEY is a secret/],
    ['grace period shorter than preStop + drain', 'Deployment', 'usher-worker', (d: Any) => (d.spec.template.spec.terminationGracePeriodSeconds = 20), /terminationGracePeriodSeconds 20 < preStop 5 s \+ drain 25 s/],
    ['drain lengthened without the grace period', 'Deployment', 'usher-edge', (d: Any) => (container(d).env.find((e: Any) => e.name === 'SHUTDOWN_GRACE_MS').value = '60000'), /drain 60 s/],
    ['image on :latest', 'Deployment', 'usher-api', (d: Any) => (container(d).image = 'registry.example.com/usher/usher:latest'), /not pinned/],
    ['writable root filesystem', 'Deployment', 'usher-edge', (d: Any) => (container(d).securityContext.readOnlyRootFilesystem = false), /readOnlyRootFilesystem/],
    ['rolling update that may drop capacity', 'Deployment', 'usher-edge', (d: Any) => (d.spec.strategy.rollingUpdate.maxUnavailable = 1), /maxUnavailable: 0/],
    ['Service selecting no pods', 'Service', 'usher-worker', (s: Any) => (s.spec.selector['app.kubernetes.io/component'] = 'workers'), /selector matches no Deployment/],
    ['route to a port the Service does not have', 'HTTPRoute', 'usher-api', (r: Any) => (r.spec.rules[0].backendRefs[0].port = 80), /backend usher-api:80/],
    ['route to the edge metrics port', 'HTTPRoute', 'usher-edge', (r: Any) => (r.spec.rules[0].backendRefs[0].port = 9101), /HTTPRoute\/usher-edge: backend usher-edge:9101 is the edge metrics port 9101: \/metrics would be public/],
    ['route to the api metrics port', 'HTTPRoute', 'usher-api', (r: Any) => (r.spec.rules[0].backendRefs[0].port = 9103), /backend usher-api:9103 is the api metrics port 9103/],
    ['Ingress to a metrics port', 'Ingress', 'usher', (i: Any) => (i.spec.rules[1].http.paths[0].backend.service.port.name = 'metrics'), /Ingress\/usher: backend usher-api:9103 is the api metrics port/],
    ['metrics port open to anyone', 'NetworkPolicy', 'usher-api', (n: Any) => delete n.spec.ingress[1].from, /NetworkPolicy\/usher-api: lets anyone reach the api metrics port 9103/],
    ['public rule widened to every port', 'NetworkPolicy', 'usher-edge', (n: Any) => delete n.spec.ingress[0].ports, /lets anyone reach the edge metrics port 9101/],
    ['worker scrapes opened to every namespace', 'NetworkPolicy', 'usher-worker', (n: Any) => (n.spec.ingress[0].from = [{ namespaceSelector: {} }]), /lets anyone reach the worker metrics port 9102/],
    ['metrics port behind a LoadBalancer', 'Service', 'usher-edge', (s: Any) => (s.spec.type = 'LoadBalancer'), /Service\/usher-edge: type LoadBalancer exposes the edge metrics port 9101/],
    ['ServiceMonitor scraping the public port', 'ServiceMonitor', 'usher', (m: Any) => (m.spec.endpoints[0].port = 'http'), /ServiceMonitor\/usher: does not scrape Service\/usher-api on its metrics port only/],
    ['real-looking value in the example Secret', 'Secret', 'usher-secrets', (s: Any) => (s.stringData.AUTH_JWT_SECRET = 'x'.repeat(40)), /AUTH_JWT_SECRET is not an obvious placeholder/],
  ])('check: %s', (_what, kind, name, mutate, expected) => {
    const found = checkAll(broken(kind, name, mutate));
    expect(found.join('\n')).toMatch(expected);
  });
});
