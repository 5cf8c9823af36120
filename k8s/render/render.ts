/**
 * Renders one overlay: the objects `kubectl apply -k k8s/rendered/<overlay>` creates, plus the
 * optional ones an operator picks (the Ingress alternative to the HTTPRoutes, the example Secret).
 */
import type { Overlay } from './overlays.js';
import { roleNames } from './roles.js';
import type { K8sObject } from './k8s-object.js';
import { configMap, exampleSecret, namespace, serviceAccount } from './config-objects.js';
import { deployment, migrationJob } from './workloads.js';
import { httpRoutes, ingress, networkPolicies, service } from './networking.js';
import { apiHpa, edgeHpa, podDisruptionBudgets, workerScaledObject } from './scaling.js';
import { serviceMonitor } from './service-monitor.js';
import { prometheusRule } from './alerts.js';
import { dashboardConfigMap } from './dashboard.js';
import { backupCredentialsExample, objectStore, recoveryCluster, scheduledBackup } from './postgres-backups.js';

export interface Rendered {
  /** Applied by the overlay's kustomization.yaml. */
  main: K8sObject[];
  /** Files under `optional/`, applied by hand when wanted. */
  optional: Record<string, K8sObject[]>;
  /** Files under `datastores/`, applied with the data stores (k8s/datastores/) before Usher. */
  datastores: Record<string, K8sObject[]>;
}

export function renderOverlay(overlay: Overlay): Rendered {
  return {
    main: [
      namespace(overlay),
      serviceAccount(overlay),
      configMap(overlay),
      migrationJob(overlay),
      ...roleNames.map((r) => deployment(overlay, r)),
      ...roleNames.map((r) => service(overlay, r)),
      ...httpRoutes(overlay),
      apiHpa(overlay),
      edgeHpa(overlay),
      workerScaledObject(overlay),
      ...podDisruptionBudgets(overlay),
      ...networkPolicies(overlay),
      serviceMonitor(overlay),
      prometheusRule(overlay),
      dashboardConfigMap(overlay),
    ],
    optional: {
      'ingress.yaml': [ingress(overlay)],
      'secret.example.yaml': [exampleSecret(overlay), backupCredentialsExample(overlay)],
      'postgres-recovery.yaml': [recoveryCluster(overlay)],
    },
    datastores: {
      'postgres-backup.yaml': [objectStore(overlay), scheduledBackup(overlay)],
    },
  };
}

export function allObjects(r: Rendered): K8sObject[] {
  return [...r.main, ...Object.values(r.optional).flat(), ...Object.values(r.datastores).flat()];
}
