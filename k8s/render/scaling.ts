/**
 * Autoscaling and disruption budgets. API on CPU; edge on connected fans (a Pods metric served by
 * prometheus-adapter from `usher_edge_connected_fans`); worker on BullMQ's waiting jobs (KEDA,
 * Prometheus trigger). Edges scale down slowly: every removed pod makes its fans reconnect.
 */
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { Overlay } from './overlays.js';
import { labelsOf, roleNames, selectorOf, type RoleName } from './roles.js';
import { plain, type K8sObject } from './k8s-object.js';

/** Queues whose backlog delays fans' tickets; their waiting count drives worker replicas. */
export const workerQueuesQuery = 'sum(usher_queue_jobs_waiting)';

const target = (role: RoleName) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: `usher-${role}` });

export function apiHpa(overlay: Overlay): K8sObject {
  const hpa: IHorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'usher-api', namespace: overlay.namespace, labels: labelsOf('api') },
    spec: {
      scaleTargetRef: target('api'),
      minReplicas: overlay.replicas.api.min,
      maxReplicas: overlay.replicas.api.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      behavior: {
        // An on-sale opens as a step: double quickly, shrink after the rush.
        scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }] },
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 20, periodSeconds: 60 }] },
      },
    },
  };
  return plain(hpa) as unknown as K8sObject;
}

export function edgeHpa(overlay: Overlay): K8sObject {
  const hpa: IHorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'usher-edge', namespace: overlay.namespace, labels: labelsOf('edge') },
    spec: {
      scaleTargetRef: target('edge'),
      minReplicas: overlay.replicas.edge.min,
      maxReplicas: overlay.replicas.edge.max,
      metrics: [
        {
          type: 'Pods',
          pods: { metric: { name: 'usher_edge_connected_fans' }, target: { type: 'AverageValue', averageValue: String(overlay.fansPerEdgePod) } },
        },
        // CPU too: broadcasting positions costs CPU even when fans are few.
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 4, periodSeconds: 30 }] },
        // One pod per 5 minutes after 15 quiet minutes: each removal moves its fans to other edges.
        scaleDown: { stabilizationWindowSeconds: 900, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] },
      },
    },
  };
  return plain(hpa) as unknown as K8sObject;
}

export function workerScaledObject(overlay: Overlay): K8sObject {
  const so: IScaledObject = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'usher-worker', namespace: overlay.namespace, labels: labelsOf('worker') },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'usher-worker' },
      // Never zero: the sweeper and reconciler run in workers, and a paid hold must not wait for a cold start.
      minReplicaCount: overlay.replicas.worker.min,
      maxReplicaCount: overlay.replicas.worker.max,
      pollingInterval: 15,
      cooldownPeriod: 300,
      // Prometheus unreachable: hold a safe middle count instead of collapsing to the minimum.
      fallback: { failureThreshold: 3, replicas: Math.max(overlay.replicas.worker.min, Math.ceil(overlay.replicas.worker.max / 2)) },
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
        },
      },
      triggers: [
        {
          type: 'prometheus',
          name: 'bullmq-waiting',
          metadata: {
            serverAddress: overlay.prometheusUrl,
            query: workerQueuesQuery,
            threshold: String(overlay.waitingJobsPerWorker),
            activationThreshold: '0',
            ignoreNullValues: 'false',
          },
        },
      ],
    },
  };
  return plain(so) as unknown as K8sObject;
}

export function podDisruptionBudgets(overlay: Overlay): K8sObject[] {
  return roleNames.map((role) => {
    const pdb: IPodDisruptionBudget = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: `usher-${role}`, namespace: overlay.namespace, labels: labelsOf(role) },
      spec: {
        // One at a time: a node drain moves one edge's fans at once, never all of them.
        maxUnavailable: 1,
        selector: { matchLabels: selectorOf(role) },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    };
    return plain(pdb) as unknown as K8sObject;
  });
}
