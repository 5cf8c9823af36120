/**
 * Type-only index of every kind Usher renders, read by strict-schema.ts with the TypeScript
 * compiler. The interfaces come from kubernetes-models (generated from the Kubernetes OpenAPI
 * spec) and its CRD companions (generated from the published CRD schemas), so the field sets the
 * strict check enforces are those upstream documents, not a hand-written copy.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { BarmanObjectStore, CnpgCluster, CnpgScheduledBackup } from '../render/cnpg-models.js';

/** Keyed by `<apiVersion>/<kind>` as it appears in a rendered object. */
export interface StrictRoots {
  'apps/v1/Deployment': IDeployment;
  'v1/Service': IService;
  'v1/ConfigMap': IConfigMap;
  'v1/Secret': ISecret;
  'v1/ServiceAccount': IServiceAccount;
  'v1/Namespace': INamespace;
  'batch/v1/Job': IJob;
  'policy/v1/PodDisruptionBudget': IPodDisruptionBudget;
  'autoscaling/v2/HorizontalPodAutoscaler': IHorizontalPodAutoscaler;
  'networking.k8s.io/v1/NetworkPolicy': INetworkPolicy;
  'networking.k8s.io/v1/Ingress': IIngress;
  'keda.sh/v1alpha1/ScaledObject': IScaledObject;
  'monitoring.coreos.com/v1/ServiceMonitor': IServiceMonitor;
  'monitoring.coreos.com/v1/PrometheusRule': IPrometheusRule;
  'gateway.networking.k8s.io/v1/HTTPRoute': IHTTPRoute;
  // transcribed from the upstream Go API (no model package): see render/cnpg-models.ts
  'postgresql.cnpg.io/v1/Cluster': CnpgCluster;
  'postgresql.cnpg.io/v1/ScheduledBackup': CnpgScheduledBackup;
  'barmancloud.cnpg.io/v1/ObjectStore': BarmanObjectStore;
}
