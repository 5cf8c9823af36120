/** The drill's summary for the terminal: one row per drill, then what its fans saw. */
import { formatTable } from '../lib/results.js';
import type { DrillResult } from './run-drill.js';

const s = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : (ms / 1000).toFixed(2));

export function drillTable(results: DrillResult[]): string {
  const rows = results.map((r) => ({
    drill: r.drill,
    verdict: r.ok ? 'nothing lost' : `BROKEN: ${r.problems.join('; ')}`,
    'fault at s': r.fault.injected_at_s,
    'restored s': s(r.recovery.restored_ms),
    'all ready s': s(r.recovery.all_ready_ms),
    'hold after s': s(r.recovery.first_hold_after_restore_ms),
    'commit after s': s(r.recovery.first_commit_after_restore_ms),
    'hold pause s': s(r.recovery.hold_pause_ms),
    'commit pause s': s(r.recovery.commit_pause_ms),
    orders: r.invariants.orders,
    sold: (r.audit.totals as { sold?: number }).sold ?? 0,
  }));
  return formatTable(rows);
}

export function fansSawTable(r: DrillResult): string {
  const routes = Object.entries(r.fans_saw.http_statuses).map(([route, byStatus]) => ({
    route, ...Object.fromEntries(Object.entries(byStatus).map(([status, n]) => [status === '0' ? 'no answer' : status, n])),
  }));
  const columns = [...new Set(routes.flatMap((x) => Object.keys(x)))];
  const lines = [
    `${r.drill}: fans' outcomes ${JSON.stringify(r.fans_saw.outcomes)}; sockets closed under them ${r.fans_saw.unexpected_closes}, reconnects ${r.fans_saw.reconnects}; socket errors ${JSON.stringify(r.fans_saw.socket_errors)}`,
    formatTable(routes.map((x) => Object.fromEntries(columns.map((c) => [c, (x as Record<string, string | number>)[c] ?? 0])))),
  ];
  if (r.recovery.inflight_commits !== undefined) lines.push(`commits in flight at the kill: ${r.recovery.inflight_commits}, all finished after ${s(r.recovery.inflight_commits_done_ms)} s`);
  if (r.recovery.reconnect_ms) lines.push(`fans reconnected: ${r.recovery.fans_reconnected} (p50 ${s(r.recovery.reconnect_ms.p50)} s, p95 ${s(r.recovery.reconnect_ms.p95)} s, max ${s(r.recovery.reconnect_ms.max)} s); places kept ${r.recovery.places_kept}, lost ${r.recovery.places_lost}`);
  return lines.join('\n');
}
