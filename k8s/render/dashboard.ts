/**
 * The Grafana dashboard, shipped as a ConfigMap that Grafana's dashboard sidecar picks up (label
 * `grafana_dashboard: "1"`). Rows follow a fan's path: queue, admission, inventory, checkout,
 * workers, HTTP (rate, errors, duration), Redis.
 */
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { Overlay } from './overlays.js';
import { m } from './metric-names.js';
import { plain, type K8sObject } from './k8s-object.js';

interface Panel {
  title: string;
  unit: string;
  targets: { expr: string; legend: string }[];
  kind?: 'timeseries' | 'stat';
}

const p95 = (metric: string, by = ''): string =>
  `histogram_quantile(0.95, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket[$__rate_interval])))`;

export const rows: { title: string; panels: Panel[] }[] = [
  {
    title: 'Queue',
    panels: [
      { title: 'Connected fans', unit: 'short', kind: 'stat', targets: [{ expr: `sum(${m.connectedFans})`, legend: 'fans' }] },
      { title: 'Waiting per sale', unit: 'short', targets: [{ expr: `max by (sale) (${m.queueLength})`, legend: '{{sale}}' }, { expr: `max by (sale) (${m.prequeueLength})`, legend: '{{sale}} pre-queue' }] },
      { title: 'Fans per edge pod', unit: 'short', targets: [{ expr: `sum by (pod) (${m.connectedFans})`, legend: '{{pod}}' }] },
      { title: 'Edge tick p95', unit: 's', targets: [{ expr: p95(m.edgeTick), legend: 'p95' }] },
    ],
  },
  {
    title: 'Admission',
    panels: [
      { title: 'Admitted per second', unit: 'ops', targets: [{ expr: `max by (sale) (rate(${m.admittedTotal}[$__rate_interval]))`, legend: '{{sale}}' }] },
      { title: 'Offers expired per second', unit: 'ops', targets: [{ expr: `max by (sale) (rate(${m.offersExpiredTotal}[$__rate_interval]))`, legend: '{{sale}}' }] },
      { title: 'Rate in force vs set (per minute)', unit: 'short', targets: [{ expr: `max by (sale) (${m.admissionEffectiveRate})`, legend: '{{sale}} in force' }, { expr: `max by (sale) (${m.admissionRate})`, legend: '{{sale}} set' }] },
      { title: 'Backend health breaching', unit: 'short', targets: [{ expr: `max by (sale, signal) (${m.admissionBackoffBreach}) > 0`, legend: '{{sale}} {{signal}}' }, { expr: `max by (signal) (${m.backendHealthSignal})`, legend: '{{signal}} value' }] },
      { title: 'Active shoppers', unit: 'short', targets: [{ expr: `max by (sale) (${m.activeShoppers})`, legend: '{{sale}}' }] },
      { title: 'Dropped by backpressure / rejected', unit: 'ops', targets: [{ expr: `sum(rate(${m.edgeDropped}[$__rate_interval]))`, legend: 'dropped' }, { expr: `sum by (reason) (rate(${m.edgeRejected}[$__rate_interval]))`, legend: 'rejected {{reason}}' }] },
    ],
  },
  {
    title: 'Inventory',
    panels: [
      { title: 'Hold requests by outcome', unit: 'reqps', targets: [{ expr: `sum by (outcome) (rate(${m.holdRequests}[$__rate_interval]))`, legend: '{{outcome}}' }] },
      { title: 'Hold latency p95', unit: 's', targets: [{ expr: p95(m.holdSeconds), legend: 'p95' }] },
      { title: 'Stale CLAIMED holds', unit: 'short', kind: 'stat', targets: [{ expr: `max(${m.claimedStaleHolds})`, legend: 'stale' }] },
      { title: 'Audit violations', unit: 'short', kind: 'stat', targets: [{ expr: `max(${m.auditViolations})`, legend: 'violations' }] },
    ],
  },
  {
    title: 'Checkout',
    panels: [
      { title: 'Commit jobs by outcome', unit: 'ops', targets: [{ expr: `sum by (outcome) (rate(${m.commitJobs}[$__rate_interval]))`, legend: '{{outcome}}' }] },
      { title: 'Commit latency p95', unit: 's', targets: [{ expr: p95(m.commitSeconds), legend: 'p95' }] },
      { title: 'Reconciler actions', unit: 'ops', targets: [{ expr: `sum by (kind) (rate(${m.reconcilerActions}[$__rate_interval]))`, legend: '{{kind}}' }] },
      { title: 'Stripe webhooks by outcome', unit: 'ops', targets: [{ expr: `sum by (outcome) (rate(${m.webhooks}[$__rate_interval]))`, legend: '{{outcome}}' }] },
    ],
  },
  {
    title: 'Workers',
    panels: [
      { title: 'Waiting jobs per queue', unit: 'short', targets: [{ expr: `sum by (queue) (${m.jobsWaiting})`, legend: '{{queue}}' }] },
      { title: 'Worker CPU', unit: 'percentunit', targets: [{ expr: `sum by (pod) (rate(${m.processCpu}{container="worker"}[$__rate_interval]))`, legend: '{{pod}}' }] },
      { title: 'Event loop lag p99', unit: 's', targets: [{ expr: `max by (container) (${m.eventLoopLag})`, legend: '{{container}}' }] },
    ],
  },
  {
    title: 'HTTP (rate, errors, duration)',
    panels: [
      { title: 'Requests by route', unit: 'reqps', targets: [{ expr: `sum by (route) (rate(${m.httpRequests}[$__rate_interval]))`, legend: '{{route}}' }] },
      { title: 'Errors (5xx) ratio', unit: 'percentunit', targets: [{ expr: `sum(rate(${m.httpRequests}{status=~"5.."}[$__rate_interval])) / sum(rate(${m.httpRequests}[$__rate_interval]))`, legend: '5xx' }] },
      { title: 'Latency p95 by route', unit: 's', targets: [{ expr: p95(m.httpSeconds, 'route'), legend: '{{route}}' }, { expr: p95(m.catalogSeconds, 'route'), legend: 'catalog {{route}}' }] },
      { title: 'Rate limited', unit: 'reqps', targets: [{ expr: `sum by (limit) (rate(${m.rateLimited}[$__rate_interval]))`, legend: '{{limit}}' }] },
    ],
  },
  {
    title: 'Redis',
    panels: [{ title: 'Memory used / maxmemory', unit: 'percentunit', targets: [{ expr: `max by (pod) (${m.redisMemoryUsed} / (${m.redisMemoryMax} > 0))`, legend: '{{pod}}' }] }],
  },
];

/** Grafana dashboard JSON (schemaVersion 39), laid out four panels to a row. */
export function dashboardJson(): Record<string, unknown> {
  let id = 1;
  let y = 0;
  const panels: Record<string, unknown>[] = [];
  for (const row of rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: y++ }, panels: [] });
    const w = Math.floor(24 / row.panels.length);
    row.panels.forEach((panel, i) => {
      panels.push({
        id: id++,
        type: panel.kind ?? 'timeseries',
        title: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
        gridPos: { h: 8, w, x: i * w, y },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        targets: panel.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legend })),
      });
    });
    y += 8;
  }
  return {
    uid: 'usher-overview',
    title: 'Usher — waiting room and flash sales',
    tags: ['usher'],
    timezone: 'browser',
    schemaVersion: 39,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }] },
    panels,
  };
}

export function dashboardConfigMap(overlay: Overlay): K8sObject {
  const cm: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'usher-grafana-dashboard',
      namespace: overlay.namespace,
      labels: { 'app.kubernetes.io/part-of': 'usher', grafana_dashboard: '1' },
    },
    data: { 'usher.json': JSON.stringify(dashboardJson(), null, 2) },
  };
  return plain(cm) as unknown as K8sObject;
}
