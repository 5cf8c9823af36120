/**
 * What one generator process counts between two reports: requests per route and status, exact
 * latencies of answered requests (status > 0), how many were sent in each wall-clock second, and
 * what each error answer said (its status, problem code and whether it named a Retry-After), so a
 * run's 5xx can be told apart: deliberate load shedding (503 with Retry-After) from failures.
 * The parent merges the reports of every process into the run's figures.
 */
export interface MeterReport {
  /** route → status → count */
  statuses: Record<string, Record<string, number>>;
  /** route → problem kind (`problemKind`) → count, for answers ≥ 400, and transport failures (`0 <code>`) where the generator knows it */
  problems: Record<string, Record<string, number>>;
  /** route → latency samples in ms (answered requests only) */
  latencies: Record<string, number[]>;
  /**
   * route → the same answers timed from when the request had a connected socket (generators that
   * queue requests for sockets only): latency − wire = the generator's own queue
   */
  wire: Record<string, number[]>;
  /** unix second → responses completed in it (all routes) */
  perSecond: Record<string, number>;
}

/**
 * One error answer as the report counts it: `503 dependency_busy retry-after`, `500 internal`,
 * `502 -` (no problem body: a proxy's or a crash's page).
 */
export function problemKind(status: number, code: string | undefined, retryAfter: boolean): string {
  return `${status} ${code ?? '-'}${retryAfter ? ' retry-after' : ''}`;
}

export class RequestMeter {
  private report: MeterReport = { statuses: {}, problems: {}, latencies: {}, wire: {}, perSecond: {} };

  /** `problem`: for an answer ≥ 400, its kind (`problemKind`), when the generator read the body. */
  record(route: string, status: number, ms: number, problem?: string, wireMs?: number): void {
    const r = this.report;
    const byStatus = (r.statuses[route] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status >= 400 || (status === 0 && problem !== undefined)) {
      const kind = problem ?? problemKind(status, undefined, false);
      const byKind = (r.problems[route] ??= {});
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    if (status > 0) (r.latencies[route] ??= []).push(Math.round(ms * 100) / 100);
    if (status > 0 && wireMs !== undefined) (r.wire[route] ??= []).push(Math.round(wireMs * 100) / 100);
    const second = Math.floor(Date.now() / 1000);
    r.perSecond[second] = (r.perSecond[second] ?? 0) + 1;
  }

  /** The counts since the last take, and a fresh start. */
  take(): MeterReport {
    const out = this.report;
    this.report = { statuses: {}, problems: {}, latencies: {}, wire: {}, perSecond: {} };
    return out;
  }
}

/** The parent's running merge of every report. */
export class MeterTotals {
  readonly statuses: Record<string, Record<string, number>> = {};
  readonly problems: Record<string, Record<string, number>> = {};
  readonly latencies: Record<string, number[]> = {};
  readonly wire: Record<string, number[]> = {};
  readonly perSecond = new Map<number, number>();

  add(r: MeterReport): void {
    for (const [route, byStatus] of Object.entries(r.statuses)) {
      const into = (this.statuses[route] ??= {});
      for (const [status, n] of Object.entries(byStatus)) into[status] = (into[status] ?? 0) + n;
    }
    for (const [route, byKind] of Object.entries(r.problems ?? {})) {
      const into = (this.problems[route] ??= {});
      for (const [kind, n] of Object.entries(byKind)) into[kind] = (into[kind] ?? 0) + n;
    }
    for (const [route, list] of Object.entries(r.latencies)) {
      const into = (this.latencies[route] ??= []);
      for (const v of list) into.push(v);
    }
    for (const [route, list] of Object.entries(r.wire ?? {})) {
      const into = (this.wire[route] ??= []);
      for (const v of list) into.push(v);
    }
    for (const [s, n] of Object.entries(r.perSecond)) this.perSecond.set(Number(s), (this.perSecond.get(Number(s)) ?? 0) + n);
  }
}
