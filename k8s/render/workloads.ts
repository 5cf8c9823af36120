/**
 * One Deployment per role from the one image, and the migration Job. Shared pod pieces (security
 * context, env, probes) are built here so every role gets the same hardening.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { Overlay } from './overlays.js';
import { labelsOf, portsOf, preStopSleepS, probePortName, roles, selectorOf, terminationGraceS, type Role, type RoleName } from './roles.js';
import { configMapName, secretEnv } from './config-objects.js';
import { plain, type K8sObject } from './k8s-object.js';

/** uid/gid of the `node` user in node:*-bookworm-slim (the Dockerfile runs as it). */
export const runAsUser = 1000;

const podSecurity: IPodSpec['securityContext'] = {
  runAsNonRoot: true,
  runAsUser,
  runAsGroup: runAsUser,
  seccompProfile: { type: 'RuntimeDefault' },
};

const containerSecurity: IContainer['securityContext'] = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

function env(overlay: Overlay, extra: Record<string, string>): IEnvVar[] {
  return [
    ...secretEnv(overlay),
    ...Object.entries(extra).map(([name, value]) => ({ name, value })),
  ];
}

function resources(overlay: Overlay, role: RoleName): IContainer['resources'] {
  const r = overlay.resources[role];
  return {
    requests: { cpu: r.cpu, memory: r.memory },
    limits: { memory: r.memoryLimit, ...(r.cpuLimit ? { cpu: r.cpuLimit } : {}) },
  };
}

function container(overlay: Overlay, role: Role): IContainer {
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: probePortName(role) },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  });
  return {
    name: role.name,
    image: overlay.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['node', ...role.nodeFlags, 'dist/scripts/start.js', role.name],
    ports: portsOf(role).map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' as const })),
    envFrom: [{ configMapRef: { name: configMapName } }],
    env: env(overlay, {
      ...overlay.roleEnv[role.name],
      ...Object.fromEntries([role.publicPort, role.metricsPort].filter((p) => p !== undefined).map((p) => [p.variable, String(p.port)])),
      SHUTDOWN_GRACE_MS: String(role.shutdownGraceMs),
    }),
    resources: resources(overlay, role.name),
    // Start-up may wait for Redis/Postgres; readiness follows them; liveness never does, so an
    // outage of a dependency takes pods out of rotation without restarting them all.
    startupProbe: probe('/readyz', 2, 60),
    readinessProbe: probe('/readyz', 5, 2),
    livenessProbe: probe('/livez', 10, 3),
    // The sleep lets the endpoint removal reach every gateway before SIGTERM starts the drain.
    // `sleep` is the kubelet's own action (no shell or sleep binary in the image needed).
    lifecycle: { preStop: { sleep: { seconds: preStopSleepS } } },
    securityContext: containerSecurity,
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

export function deployment(overlay: Overlay, roleName: RoleName): K8sObject {
  const role = roles[roleName];
  const spreadBy = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway' as const,
    labelSelector: { matchLabels: selectorOf(roleName) },
  });
  const d: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `usher-${roleName}`, namespace: overlay.namespace, labels: labelsOf(roleName) },
    spec: {
      // The autoscaler owns the count after the first apply; this is the floor.
      replicas: overlay.replicas[roleName].min,
      revisionHistoryLimit: 5,
      minReadySeconds: roleName === 'edge' ? 10 : 5,
      selector: { matchLabels: selectorOf(roleName) },
      // Never below the wanted count during a roll: a new pod is ready before an old one drains.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: { labels: labelsOf(roleName) },
        spec: {
          serviceAccountName: 'usher',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: terminationGraceS(role),
          securityContext: podSecurity,
          topologySpreadConstraints: [spreadBy('topology.kubernetes.io/zone'), spreadBy('kubernetes.io/hostname')],
          containers: [container(overlay, role)],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
  return plain(d) as unknown as K8sObject;
}

export function migrationJobName(image: string): string {
  const last = image.split('/').pop() ?? image;
  const tag = last.includes('@') ? last.split('@')[1]!.replace(/^sha256:/, '').slice(0, 12) : (last.split(':')[1] ?? 'untagged');
  return `usher-migrate-${tag.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * Migrations as a Job: scripts/migrate-cli.ts holds a Postgres advisory lock, so a re-run or two
 * concurrent Jobs are safe. Apply it (and wait) before rolling the Deployments.
 */
export function migrationJob(overlay: Overlay): K8sObject {
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    // A Job's pod template is immutable: one Job per image, named after its tag.
    metadata: { name: migrationJobName(overlay.image), namespace: overlay.namespace, labels: labelsOf('migrate') },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: labelsOf('migrate') },
        spec: {
          restartPolicy: 'OnFailure',
          serviceAccountName: 'usher',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurity,
          containers: [
            {
              name: 'migrate',
              image: overlay.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['node', 'dist/scripts/migrate-cli.js'],
              envFrom: [{ configMapRef: { name: configMapName } }],
              env: env(overlay, {}),
              resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              securityContext: containerSecurity,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
        },
      },
    },
  };
  return plain(job) as unknown as K8sObject;
}
