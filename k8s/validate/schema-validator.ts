/**
 * Validates rendered objects twice: with the typed model's own validator (kubernetes-models:
 * types, formats, required fields, from the Kubernetes OpenAPI spec and published CRD schemas)
 * and with the strict schema (strict-schema.ts: unknown fields). Returns every problem, one line
 * each, naming the object and the JSON path.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { buildStrictSchemas } from './strict-schema.js';
import type { K8sObject } from '../render/k8s-object.js';

type ModelClass = new (data: never) => { validate(): void };

/**
 * CloudNativePG and its Barman Cloud plugin publish no model package: the strict pass alone checks
 * them, against the types transcribed in render/cnpg-models.ts (required fields, types, enums, no
 * unknown field).
 */
class StrictOnly {
  validate(): void {}
}

const models: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Namespace': Namespace,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject as unknown as ModelClass,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as unknown as ModelClass,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule as unknown as ModelClass,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute as unknown as ModelClass,
  'postgresql.cnpg.io/v1/Cluster': StrictOnly,
  'postgresql.cnpg.io/v1/ScheduledBackup': StrictOnly,
  'barmancloud.cnpg.io/v1/ObjectStore': StrictOnly,
};

export const supportedKinds = Object.keys(models);

export function kindKey(obj: K8sObject): string {
  return `${obj.apiVersion}/${obj.kind}`;
}

export function describe(obj: K8sObject): string {
  return `${obj.kind}/${obj.metadata?.name ?? '?'}`;
}

export class SchemaValidator {
  private readonly strict = new Map<string, ValidateFunction>();

  constructor() {
    const { roots, definitions } = buildStrictSchemas();
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema({ $id: 'usher-k8s', definitions });
    for (const [key, root] of Object.entries(roots)) {
      this.strict.set(key, ajv.compile({ ...root, definitions }));
    }
  }

  /** Every problem with one object; empty when it is valid. */
  validate(obj: K8sObject): string[] {
    const key = kindKey(obj);
    const Cls = models[key];
    const strict = this.strict.get(key);
    if (!Cls || !strict) return [`${describe(obj)}: no schema for ${key} (add it to strict-roots.ts and schema-validator.ts)`];
    const problems: string[] = [];
    try {
      new Cls(structuredClone(obj) as never).validate();
    } catch (err) {
      problems.push(`${describe(obj)}: ${(err as Error).message}`);
    }
    if (!strict(obj)) {
      for (const e of strict.errors ?? []) {
        const where = e.instancePath || '/';
        const extra = e.keyword === 'additionalProperties' ? ` '${String(e.params.additionalProperty)}'` : '';
        problems.push(`${describe(obj)}: ${where} ${e.message ?? e.keyword}${extra}`);
      }
    }
    return problems;
  }
}
