/**
 * What one generator process counts between two reports: requests per route and status, exact
 * latencies of answered requests (status > 0), and how many were sent in each wall-clock second.
 * The parent merges the reports of every process into the run's figures.
 */
export interface MeterReport {
  /** route → status → count */
  statuses: Record<string, Record<string, number>>;
  /** route → latency samples in ms (answered requests only) */
  latencies: Record<string, number[]>;
  /** unix second → responses completed in it (all routes) */
  perSecond: Record<string, number>;
}

export class RequestMeter {
  private report: MeterReport = { statuses: {}, latencies: {}, perSecond: {} };

  record(route: string, status: number, ms: number): void {
    const r = this.report;
    const byStatus = (r.statuses[route] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status > 0) (r.latencies[route] ??= []).push(Math.round(ms * 100) / 100);
    const second = Math.floor(Date.now() / 1000);
    r.perSecond[second] = (r.perSecond[second] ?? 0) + 1;
  }

  /** The counts since the last take, and a fresh start. */
  take(): MeterReport {
    const out = this.report;
    this.report = { statuses: {}, latencies: {}, perSecond: {} };
    return out;
  }
}

/** The parent's running merge of every report. */
export class MeterTotals {
  readonly statuses: Record<string, Record<string, number>> = {};
  readonly latencies: Record<string, number[]> = {};
  readonly perSecond = new Map<number, number>();

  add(r: MeterReport): void {
    for (const [route, byStatus] of Object.entries(r.statuses)) {
      const into = (this.statuses[route] ??= {});
      for (const [status, n] of Object.entries(byStatus)) into[status] = (into[status] ?? 0) + n;
    }
    for (const [route, list] of Object.entries(r.latencies)) {
      const into = (this.latencies[route] ??= []);
      for (const v of list) into.push(v);
    }
    for (const [s, n] of Object.entries(r.perSecond)) this.perSecond.set(Number(s), (this.perSecond.get(Number(s)) ?? 0) + n);
  }
}
