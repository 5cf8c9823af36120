/**
 * Services, public routing (Gateway API HTTPRoute, with an Ingress alternative) and the
 * NetworkPolicies that allow each role only what it needs.
 *
 * Fans reach two hostnames, as PUBLIC_EDGE_URL and PUBLIC_API_URL say: the edge (WebSocket,
 * waiting-room page, JWKS) and the API. Separate hosts keep the routing free of path coupling.
 */
import type { IService } from 'kubernetes-models/v1/Service';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { Overlay } from './overlays.js';
import { labelsOf, portNames, portsOf, roles, selectorOf, type RoleName } from './roles.js';
import { plain, type K8sObject } from './k8s-object.js';

type PolicySpec = NonNullable<INetworkPolicy['spec']>;
type Egress = NonNullable<PolicySpec['egress']>[number];
type Ingress = NonNullable<PolicySpec['ingress']>[number];

export function service(overlay: Overlay, role: RoleName): K8sObject {
  const svc: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `usher-${role}`, namespace: overlay.namespace, labels: labelsOf(role) },
    spec: {
      type: 'ClusterIP',
      selector: selectorOf(role),
      // The same port names on every role: the routes name `http`, the one ServiceMonitor `metrics`.
      ports: portsOf(roles[role]).map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' as const })),
    },
  };
  return plain(svc) as unknown as K8sObject;
}

/**
 * Routes send the public port only: the metrics port is no backend of any route, so `/metrics`
 * is out of public reach whatever the path (the public ports answer it 404 anyway).
 * The edge route disables the request timeout ("0s"): a WebSocket is one long request, and a
 * gateway default (often 15 s) would cut every fan off mid-queue. The API keeps a short timeout.
 */
function publicPortOf(role: 'edge' | 'api'): number {
  const p = roles[role].publicPort;
  if (!p) throw new Error(`role ${role} has no public port`);
  return p.port;
}

export function httpRoutes(overlay: Overlay): K8sObject[] {
  const route = (role: 'edge' | 'api', host: string, timeouts: { request: string; backendRequest?: string }): IHTTPRoute => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `usher-${role}`, namespace: overlay.namespace, labels: labelsOf(role) },
    spec: {
      parentRefs: [{ name: overlay.gateway.name, namespace: overlay.gateway.namespace, sectionName: 'https' }],
      hostnames: [host],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ name: `usher-${role}`, port: publicPortOf(role) }],
          timeouts,
        },
      ],
    },
  });
  return [
    route('edge', overlay.hosts.edge, { request: '0s' }),
    route('api', overlay.hosts.api, { request: '30s', backendRequest: '15s' }),
  ].map((r) => plain(r) as unknown as K8sObject);
}

/** For clusters without Gateway API: ingress-nginx, with WebSocket-length read/send timeouts. */
export function ingress(overlay: Overlay): K8sObject {
  const rule = (host: string, role: 'edge' | 'api') => ({
    host,
    http: { paths: [{ path: '/', pathType: 'Prefix' as const, backend: { service: { name: `usher-${role}`, port: { name: portNames.public } } } }] },
  });
  const ing: IIngress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'usher',
      namespace: overlay.namespace,
      labels: { 'app.kubernetes.io/part-of': 'usher' },
      annotations: {
        // A fan's socket lives as long as their wait: an hour, then the client reconnects.
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-body-size': '64k',
      },
    },
    spec: {
      ingressClassName: overlay.ingressClassName,
      tls: [{ hosts: [overlay.hosts.edge, overlay.hosts.api], secretName: 'usher-tls' }],
      rules: [rule(overlay.hosts.edge, 'edge'), rule(overlay.hosts.api, 'api')],
    },
  };
  return plain(ing) as unknown as K8sObject;
}

const dns: Egress = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

/** Stripe and SMTP are outside the cluster: any public address on their ports, never private ranges. */
const internet = (ports: number[]): Egress => ({
  to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
  ports: ports.map((port) => ({ protocol: 'TCP', port })),
});

function dataStores(overlay: Overlay): Egress[] {
  return [
    // 6379 for commands; 16379 is the cluster bus, which clients never use.
    { to: [{ podSelector: overlay.redisPods }], ports: [{ protocol: 'TCP', port: 6379 }] },
    { to: [{ podSelector: overlay.postgresPods }], ports: [{ protocol: 'TCP', port: 5432 }] },
  ];
}

const fromAnywhere = (port: number): Ingress => ({ ports: [{ protocol: 'TCP', port }] });

function policy(overlay: Overlay, name: string, podSelector: Record<string, string>, ingress: Ingress[], egress: Egress[]): K8sObject {
  const np: INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: overlay.namespace, labels: { 'app.kubernetes.io/part-of': 'usher' } },
    spec: { podSelector: { matchLabels: podSelector }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
  return plain(np) as unknown as K8sObject;
}

export function networkPolicies(overlay: Overlay): K8sObject[] {
  // Every metrics port takes Prometheus only (the monitoring namespace), never the gateway.
  const fromMonitoring = (role: RoleName): Ingress => ({
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': overlay.monitoringNamespace } } }],
    ports: [{ protocol: 'TCP', port: roles[role].metricsPort.port }],
  });
  const toEdge: Egress = { to: [{ podSelector: { matchLabels: selectorOf('edge') } }], ports: [{ protocol: 'TCP', port: publicPortOf('edge') }] };
  return [
    // Everything of Usher's denied unless a policy below allows it.
    policy(overlay, 'usher-default-deny', { 'app.kubernetes.io/part-of': 'usher' }, [], []),
    // Edge and API take public traffic on their public port (via the gateway, whose namespace varies).
    policy(overlay, 'usher-edge', selectorOf('edge'), [fromAnywhere(publicPortOf('edge')), fromMonitoring('edge')], [dns, ...dataStores(overlay)]),
    // The API fetches the edge's JWKS, and calls Stripe.
    policy(overlay, 'usher-api', selectorOf('api'), [fromAnywhere(publicPortOf('api')), fromMonitoring('api')], [dns, ...dataStores(overlay), toEdge, internet([443])]),
    // Workers capture/refund with Stripe and send mail; only Prometheus talks to them.
    policy(overlay, 'usher-worker', selectorOf('worker'), [fromMonitoring('worker')], [dns, ...dataStores(overlay), internet([443, 465, 587])]),
    policy(overlay, 'usher-migrate', selectorOf('migrate'), [], [dns, dataStores(overlay)[1]!]),
  ];
}
