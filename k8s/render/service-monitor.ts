/**
 * One ServiceMonitor scrapes every role: each Service names its internal metrics port `metrics`
 * (edge 9101, api 9103, worker 9102), never routed publicly; the NetworkPolicies let only the
 * monitoring namespace reach it.
 */
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { Overlay } from './overlays.js';
import { portNames } from './roles.js';
import { plain, type K8sObject } from './k8s-object.js';

export function serviceMonitor(overlay: Overlay): K8sObject {
  const sm: IServiceMonitor = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'usher', namespace: overlay.namespace, labels: { 'app.kubernetes.io/part-of': 'usher', release: 'prometheus' } },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/part-of': 'usher' } },
      namespaceSelector: { matchNames: [overlay.namespace] },
      // `pod` and `container` labels let the dashboard split per pod and per role.
      endpoints: [{ port: portNames.metrics, path: '/metrics', interval: '15s', scrapeTimeout: '10s' }],
    },
  };
  return plain(sm) as unknown as K8sObject;
}
