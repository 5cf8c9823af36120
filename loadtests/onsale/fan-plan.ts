/** What the orchestrator tells each fan process, and what a fan process reports back each second. */
import type { MeterReport } from './request-meter.js';
import type { SectionInfo } from './sale-setup.js';

export interface ShopperMix {
  /** Share of admitted fans who pay; the rest release their hold (change of mind). */
  pay: number;
  /** Share of holds asking for explicit seats (reserved seating); the rest ask for best available. */
  explicitSeats: number;
  /** Share of best-available holds in a reserved section asking for seats together in one row. */
  together: number;
  /** Quantities fans ask for, with weights; the shared fixture's `quantityWeights` when absent. */
  quantities?: [number, number][];
}

export interface FanPlan {
  index: number;
  fans: number;
  /** Loopback source address of this process's sockets and requests. */
  sourceAddress: string;
  edgeUrl: string;
  apiUrl: string;
  saleId: string;
  visitorSecret: string;
  /** New sockets per second from this process. */
  connectPerS: number;
  /** Every n-th fan records the lag of its position updates (exact samples, bounded in number). */
  lagSampleEvery: number;
  sections: SectionInfo[];
  mix: ShopperMix;
  seed: number;
  /** How long a shopper retries a step that answered 503 or not at all, as the checkout page does (drills); 0: gives up at once. */
  retryUnavailableMs?: number;
}

export type Outcome = 'ordered' | 'released' | 'no_seats' | 'voided' | 'failed' | 'unconfirmed';

export interface OrderedHold {
  holdId: string;
  seatIds: number[];
  gaPlaces: number;
}

export interface FanReport {
  type: 'report';
  index: number;
  meter: MeterReport;
  /** Current counts of this process's fans. */
  connected: number;
  queued: number;
  /** Cumulative. */
  offers: number;
  admitted: number;
  /** Admitted fans still shopping (holding, paying or waiting for their order). */
  shopping: number;
  reconnects: number;
  unexpectedCloses: number;
  /** Reconnected fans who came back to the ticket they had, and who came back to another one. */
  placesKept: number;
  placesLost: number;
  /** Fans whose socket closed unexpectedly and who have not heard their place again yet. */
  awaitingPlace: number;
  errors: Record<string, number>;
  outcomes: Record<Outcome, number>;
  /** The process's first fetch of the seat map (brotli), once it has it. */
  seatMap: { ms: number; compressedBytes: number; jsonBytes: number; seatCount: number } | null;
  /** New since the last report. */
  lags: number[];
  /** From a socket's unexpected close to the fan's place answered again on a new one (ms). */
  reconnectMs: number[];
  /** When each hold of this process was granted (201), epoch ms. */
  holdsAt: number[];
  orders: OrderedHold[];
  /** Holds whose demo payment was accepted (202): each must end as an order or a voided payment. */
  paid: string[];
  done: boolean;
}

export type ParentMessage = { type: 'start'; plan: FanPlan } | { type: 'stop' };
