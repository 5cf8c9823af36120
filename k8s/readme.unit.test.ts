/** The operator guide covers what the issue asks, and has a runbook section for every alert. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alerts, runbookAnchor } from './render/alerts.js';
import { roles, terminationGraceS } from './render/roles.js';

const readme = readFileSync(path.join(import.meta.dirname, 'README.md'), 'utf8');
const headings = [...readme.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!.trim());
const slug = (h: string) => h.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');

describe('k8s/README.md', () => {
  it.each(['Deploy', 'Scale', 'Roll without dropping fans', 'Run a sale', 'Read the dashboard', 'Alerts — runbook', 'Rebuild inventory after a Redis loss'])('has the section "%s"', (h) => {
    expect(headings).toContain(h);
  });

  it('has a runbook section for every alert, at the anchor the alert links to', () => {
    const anchors = new Set(headings.map(slug));
    expect(alerts.map((a) => runbookAnchor(a.alert)).filter((a) => !anchors.has(a))).toEqual([]);
  });

  it('states the grace periods the manifests use', () => {
    for (const r of Object.values(roles)) expect(readme).toContain(`${r.name} ${terminationGraceS(r)}`);
  });

  it('tells how Prometheus reaches each role\'s metrics port', () => {
    expect(headings).toContain('Metrics and probes');
    for (const r of Object.values(roles)) expect(readme).toContain(`| ${r.name} | \`${r.metricsPort.variable}\` ${r.metricsPort.port}`);
  });

  it('tells how to rebuild inventory', () => {
    expect(readme).toContain('npm run inventory:rebuild -- <sale>');
  });
});
