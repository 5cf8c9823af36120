/** The browsing side of the mixed load: a rate over time, split over endpoints by the fixture's mix. */
import { browseMix } from '../k6/lib/usher-api.js';
import type { MeterReport } from './request-meter.js';

export interface Stage {
  durationS: number;
  /** Browsing requests per second over the stage (all endpoints together). */
  rps: number;
}

export interface BrowsePlan {
  apiUrl: string;
  edgeUrl: string;
  saleId: string;
  eventId: string;
  visitorSecret: string;
  /** Fans who wait over the HTTP status fallback instead of a socket (they poll GET status). */
  pollers: number;
  /** When the first stage starts (unix ms): the pollers join before. */
  startAtMs: number;
  stages: Stage[];
}

export interface EndpointStage {
  route: string;
  stage: number;
  rps: number;
  /** Requests answered (autocannon's real count). */
  requests: number;
  /** Latency samples in autocannon's histogram: more than `requests` when it corrected for coordinated omission. */
  correctedSamples: number;
  corrected: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

export type BrowseMessage =
  | { type: 'report'; meter: MeterReport; stage: number }
  | { type: 'stage'; result: EndpointStage }
  | { type: 'done' };

/** Ramp to the peak, hold it, come down: the on-sale's shape. */
export function onsaleStages(peak: number, rampS: number, holdS: number): Stage[] {
  const steps = [0.2, 0.4, 0.6, 0.8];
  const rampStep = Math.max(2, Math.round(rampS / steps.length));
  return [...steps.map((f) => ({ durationS: rampStep, rps: Math.round(peak * f) })), { durationS: holdS, rps: peak }, { durationS: 5, rps: Math.round(peak * 0.3) }];
}

/** Requests per second of each endpoint at a total rate: the fixture's mix, at least 1 each. */
export function splitRate(rps: number): { route: (typeof browseMix)[number][0]; rps: number }[] {
  const total = browseMix.reduce((s, [, w]) => s + w, 0);
  return browseMix.map(([route, w]) => ({ route, rps: Math.max(1, Math.round((rps * w) / total)) }));
}
