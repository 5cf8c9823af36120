/**
 * Renders every overlay and validates every object: Kubernetes OpenAPI and CRD schemas (unknown
 * fields rejected) and the manifest checks (env vars, probes, grace, hardening, references).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { overlays } from './render/overlays.js';
import { allObjects, renderOverlay } from './render/render.js';
import { overlayFiles } from './render/write-files.js';
import { SchemaValidator, kindKey, supportedKinds } from './validate/schema-validator.js';
import { checkAll, checkMetricsPrivate } from './validate/manifest-checks.js';
import { roles } from './render/roles.js';

const validator = new SchemaValidator();
const renderedDir = path.join(import.meta.dirname, 'rendered');

describe.each(Object.values(overlays))('overlay $name', (overlay) => {
  const rendered = renderOverlay(overlay);
  const objects = allObjects(rendered);

  it('validates every object against its schema with zero errors', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.flatMap((o) => validator.validate(o))).toEqual([]);
  });

  it('passes every manifest check', () => {
    expect(checkAll(objects)).toEqual([]);
  });

  it('renders each kind the issue asks for', () => {
    const kinds = new Set(objects.map(kindKey));
    for (const k of supportedKinds) expect(kinds).toContain(k);
    const names = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    expect(names('Deployment')).toEqual(['usher-api', 'usher-edge', 'usher-worker']);
    expect(names('PodDisruptionBudget')).toEqual(['usher-api', 'usher-edge', 'usher-worker']);
    expect(names('HorizontalPodAutoscaler')).toEqual(['usher-api', 'usher-edge']);
  });

  it('routes only the public ports, and Prometheus alone reaches the metrics ports', () => {
    expect(checkMetricsPrivate(objects)).toEqual([]);
    const routed = objects.filter((o) => o.kind === 'HTTPRoute').flatMap((r) => ((r.spec as any).rules as any[]).flatMap((rule) => rule.backendRefs.map((b: any) => b.port))); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(routed.sort()).toEqual([roles.api.publicPort!.port, roles.edge.publicPort!.port].sort());
    const metricsPorts = Object.values(roles).map((r) => r.metricsPort.port);
    for (const p of metricsPorts) expect(routed).not.toContain(p);
  });

  it('keeps the example Secret out of the applied set', () => {
    expect(rendered.main.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('matches the committed files under k8s/rendered (run `npm run k8s:render` after a change)', () => {
    for (const [rel, content] of Object.entries(overlayFiles(rendered))) {
      expect(readFileSync(path.join(renderedDir, overlay.name, rel), 'utf8'), rel).toBe(content);
    }
  });
});
