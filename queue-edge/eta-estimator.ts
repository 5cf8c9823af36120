/**
 * The admission rate as measured, for an honest ETA: the sale-wide admitted total is sampled each
 * tick; the rate over the last 15 s and the last 60 s bound the range (a recent slowdown or
 * speed-up widens it instead of being averaged away).
 */
const KEEP_MS = 65_000;

export class RateMeter {
  private readonly samples: { at: number; total: number }[] = [];

  add(at: number, total: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && (at <= last.at || total < last.total)) {
      if (total < last.total) this.samples.length = 0; // totals reset (sale re-created): start over
      else return;
    }
    this.samples.push({ at, total });
    while (this.samples.length > 2 && this.samples[0]!.at < at - KEEP_MS) this.samples.shift();
  }

  private rateOver(windowMs: number): number | null {
    const last = this.samples[this.samples.length - 1];
    if (!last) return null;
    const first = this.samples.find((s) => s.at >= last.at - windowMs) ?? this.samples[0]!;
    const spanMs = last.at - first.at;
    if (spanMs < 3000) return null;
    return ((last.total - first.total) * 60_000) / spanMs;
  }

  /** [low, high] admissions per minute, or null before there are 3 s of samples. */
  rangePerMin(): [number, number] | null {
    const short = this.rateOver(15_000);
    const long = this.rateOver(60_000);
    if (short === null || long === null) return null;
    return [Math.min(short, long), Math.max(short, long)];
  }
}

/**
 * ETA in seconds as [soonest, latest] for `ahead` people, from the measured range, else from the
 * setting ±25% (nothing measured yet). Null when nothing moves (rate 0).
 */
export function etaRangeS(ahead: number, measured: [number, number] | null, ratePerMin: number): [number, number] | null {
  const [lo, hi] = measured && measured[1] > 0 ? measured : [ratePerMin * 0.75, ratePerMin * 1.25];
  if (hi <= 0) return null;
  const soonest = Math.round((ahead * 60) / hi);
  const latest = lo > 0 ? Math.round((ahead * 60) / lo) : null;
  return latest === null ? null : [soonest, latest];
}
