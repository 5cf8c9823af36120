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
  it.each(['Deploy', 'Scale', 'Roll without dropping fans', 'Run a sale', 'Read the dashboard', 'Alerts — runbook', 'Rebuild inventory after a Redis loss', 'Restore PostgreSQL from a backup'])('has the section "%s"', (h) => {
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

  it('restores PostgreSQL in the order that keeps Redis consistent: pause, restore, rebuild, audit, resume', () => {
    const section = readme.slice(readme.indexOf('## Restore PostgreSQL from a backup'), readme.indexOf('## Rebuild inventory after a Redis loss'));
    const at = (text: string) => section.indexOf(text);
    const steps = ['"action":"pause"', 'optional/postgres-recovery.yaml', 'inventory:rebuild -- <sale>', 'npm run audit -- <sale>', '"action":"resume"'].map(at);
    expect(steps.every((i) => i >= 0), JSON.stringify(steps)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });
});
