/**
 * The dashboard, alerts and the worker autoscaler may only read metrics listed in
 * render/metric-names.ts, and a listed `source` must still register the name.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { metricNames } from './render/metric-names.js';
import { alerts } from './render/alerts.js';
import { rows } from './render/dashboard.js';
import { workerQueuesQuery } from './render/scaling.js';

const root = path.join(import.meta.dirname, '..');
const known = new Set(metricNames.map((m) => m.name));
const used = (expr: string): string[] =>
  [...expr.matchAll(/\b((?:usher|redis|process|nodejs|cnpg|barman_cloud)_[a-z0-9_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));

describe('metric names', () => {
  const expressions = [...alerts.map((a) => a.expr), ...rows.flatMap((r) => r.panels.flatMap((p) => p.targets.map((t) => t.expr))), workerQueuesQuery];

  it('every expression reads only catalogued metrics', () => {
    const unknown = expressions.flatMap(used).filter((n) => !known.has(n));
    expect(unknown).toEqual([]);
  });

  it('every metric with a source is still registered there', () => {
    for (const m of metricNames.filter((m) => m.source)) {
      const code = readFileSync(path.join(root, m.source!), 'utf8');
      expect(code, `${m.name} in ${m.source}`).toMatch(new RegExp(`${m.type}(<[^>]*>)?\\(\\s*'${m.name}'`));
    }
  });

  it('catches an expression with an uncatalogued metric', () => {
    expect(used('sum(rate(usher_holds_total[5m])) / usher_hold_seconds_bucket').filter((n) => !known.has(n))).toEqual(['usher_holds_total']);
  });
});
