/** One ServiceMonitor scrapes every role: each Service names its port `http` and serves /metrics. */
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { Overlay } from './overlays.js';
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
      endpoints: [{ port: 'http', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }],
    },
  };
  return plain(sm) as unknown as K8sObject;
}
