/** The catalog's answers, as `/openapi.json` shows them (the requests are in catalog-query.ts). */
import { z } from 'zod';
import { availabilitySchema } from '../holds/hold-schemas.js';

export const eventIdParams = z.object({ id: z.uuid() });

const eventSummary = z.object({
  id: z.string(), title: z.string(), performer: z.string(), category: z.string(), city: z.string(), venueName: z.string(),
  startsAt: z.string(), currency: z.string(), minPriceMinor: z.number().int().nullable(), maxPriceMinor: z.number().int().nullable(),
  hasSeatsLeft: z.boolean(), rank: z.number().optional().describe('search relevance, with q'),
  ratingAverage: z.number().nullable().describe('mean of the visible review ratings, one decimal; null without any'),
  ratingCount: z.number().int(),
});

export const eventPageSchema = z.object({
  items: z.array(eventSummary),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last'),
  match: z.enum(['exact', 'fuzzy']).describe('fuzzy: the words as typed matched nothing; these are the nearest names (typos, prefixes)'),
});

const availability = availabilitySchema.pick({ status: true, sections: true });

export const eventDetailSchema = z.object({
  id: z.string(), title: z.string(), description: z.string(), performer: z.string(), category: z.string(), city: z.string(),
  startsAt: z.string(), status: z.string(), currency: z.string(), refundCutoffS: z.number().int(),
  venue: z.object({ id: z.string(), name: z.string(), city: z.string(), address: z.string().nullable(), timezone: z.string() }),
  sections: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), tierCode: z.string().nullable(), capacity: z.number().int() })),
  tiers: z.array(z.object({ code: z.string(), name: z.string(), priceMinor: z.number().int() })),
  sales: z.array(z.object({
    id: z.string(), status: z.string(), prequeueOpensAt: z.string(), opensAt: z.string(), closesAt: z.string(), perFanLimit: z.number().int(),
    queueUrl: z.string().describe('where fans join the waiting room'), availability: availability.nullable(),
  })),
  rating: z.object({ average: z.number().nullable(), count: z.number().int() }).describe('the visible reviews (GET /v1/events/{id}/reviews)'),
});
