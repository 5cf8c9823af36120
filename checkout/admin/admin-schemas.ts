/**
 * The organiser API's answers, as `/openapi.json` shows them. Rows come straight from Postgres
 * (snake_case), so the schemas name the fields an organiser needs and let the rest through.
 */
import { z } from 'zod';
import { gatewayNames } from '../payments/payment-gateway.js';
import { brandingSchema } from '../../admission/sale-page.js';

export const idParams = z.object({ id: z.uuid() });
const when = z.union([z.string(), z.date()]);

export const venueList = z.object({ venues: z.array(z.object({ id: z.string(), name: z.string(), city: z.string(), capacity: z.union([z.number(), z.string()]) }).loose()) });
export const venueCreated = z.object({ id: z.string(), seats: z.number().int(), capacity: z.number().int() });
export const venueDetail = z.object({
  id: z.string(), name: z.string(), city: z.string(), address: z.string().nullable(), timezone: z.string(),
  tiers: z.array(z.object({ code: z.string(), name: z.string() })),
  sections: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), tierCode: z.string().nullable(), capacity: z.number(), rows: z.number() }).loose()),
}).loose();
export const venueSeats = z.object({
  venueId: z.string(),
  sections: z.array(z.object({
    id: z.string(), name: z.string(), kind: z.string(), tierCode: z.string().nullable(), capacity: z.number(),
    rows: z.array(z.object({ label: z.string(), seats: z.array(z.tuple([z.number().int(), z.string()])).describe('[number, tier code] along the row') })),
  })),
});
export const seatsImported = z.object({ seats: z.number().int(), sectionsCreated: z.number().int() });

export const eventRow = z.object({
  id: z.string(), venue_id: z.string(), title: z.string(), status: z.enum(['draft', 'published', 'cancelled', 'completed']), starts_at: when,
  tiers: z.array(z.object({ code: z.string(), name: z.string(), priceMinor: z.number().int() })),
}).loose();
export const eventList = z.object({ events: z.array(z.object({ id: z.string(), title: z.string(), status: z.string(), city: z.string(), venue_name: z.string(), starts_at: when }).loose()) });
export const cancellationReport = z.object({
  eventId: z.string(), salesClosed: z.array(z.string()), cancelled: z.array(z.string()), alreadyCancelled: z.array(z.string()),
  pending: z.array(z.object({ orderId: z.string(), reason: z.string() })).describe('not cancellable yet (being committed): POST again'),
  refundedMinor: z.number().int(),
});

export const saleRow = z.object({
  id: z.string(), event_id: z.string(), status: z.enum(['draft', 'published', 'open', 'paused', 'closed']), event_status: z.string(),
  opens_at: when, closes_at: when, prequeue_opens_at: when, admission_rate_per_min: z.number().int(), max_active_shoppers: z.number().int(),
  pow_difficulty: z.number().int(),
  payment_gateways: z.array(z.enum(gatewayNames)).nullable().describe('the gateways fans may pay with, the first the default; null: every gateway the deployment has'),
  branding: brandingSchema.optional().describe("the fan pages' branding ({} for none)"),
}).loose();
export const saleList = z.object({ sales: z.array(z.object({ id: z.string(), event_id: z.string(), title: z.string(), status: z.string(), opens_at: when, closes_at: when }).loose()) });
export const salePublished = z.object({ shards: z.number().int(), capacity: z.number().int(), alreadyPublished: z.boolean(), sale: saleRow });
export const saleSettings = z.object({
  ratePerMin: z.number(), maxActive: z.number(), paused: z.boolean(), closed: z.boolean(), message: z.string(),
  mode: z.enum(['fifo', 'random', 'passthrough', 'reject']), drawWindowS: z.number().nullable(),
  backoff: z.object({ enabled: z.boolean(), holdP99Ms: z.number().nullable(), commitQueue: z.number().nullable(), errorRatePct: z.number().nullable() })
    .describe('backoff on backend health; a null threshold is the deployment default (ADMISSION_BACKOFF_*)'),
});
export const saleStats = z.object({
  saleId: z.string(), currency: z.string(), orders: z.object({ paid: z.number(), live: z.number(), cancelled: z.number() }),
  ticketsSold: z.number(), revenueMinor: z.number(), refundedMinor: z.number(),
  sections: z.array(z.object({ sectionId: z.string(), name: z.string(), capacity: z.number(), sold: z.number(), revenueMinor: z.number() })),
  funnel: z.object({ joined: z.number(), admitted: z.number(), paid: z.number(), admittedToPaid: z.number().nullable() }),
});
export const dashboardData = z.object({
  at: z.number(), saleId: z.string(), settings: saleSettings,
  queue: z.object({ waiting: z.number(), prequeue: z.number(), connected: z.number(), edges: z.number(), joined: z.number() }),
  admission: z.object({
    admittedTotal: z.number(), perMin: z.number().nullable(), ratePerMin: z.number(), offersExpired: z.number(),
    effectiveRatePerMin: z.number().describe('the rate in force: ratePerMin, or less while backed off on backend health'),
    breaching: z.array(z.string()).describe('backend signals past their threshold at the last backoff step'),
    health: z.record(z.string(), z.number()).describe('backend health signals as published to Redis (hold_p99_ms, commit_queue, error_rate_pct)'),
  }),
  shoppers: z.object({ active: z.number(), max: z.number() }),
  inventory: z.object({ status: z.string(), capacity: z.number(), free: z.number(), held: z.number(), sold: z.number(), remaining: z.number(), sections: z.array(z.object({ name: z.string() }).loose()) }).loose().nullable(),
  sales: z.object({ currency: z.string(), revenueMinor: z.number(), refundedMinor: z.number(), ticketsSold: z.number() }).loose(),
  latencies: z.array(z.object({}).loose()),
});
