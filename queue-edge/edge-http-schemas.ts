/**
 * The shapes of the edge's HTTP API: request bodies (validated by edge-http.ts) and answers (the
 * handlers' bodies are typed by them, so the OpenAPI document cannot describe a field they do not
 * send). Field meanings are in queue-edge/README.md.
 */
import { z } from 'zod';
import { saleControlSchema } from '../admission/sale-controls.js';
import { brandingSchema } from '../admission/sale-page.js';
import { saleIdSchema, presaleFields } from './edge-protocol.js';

export { saleControlSchema, saleIdSchema };

/** join: the proof-of-work nonce when the sale asks for one */
export const joinBodySchema = z.strictObject({ nonce: z.string().max(32).optional().describe('proof of work for the challenge `<sale>:<visitorId>`'), ...presaleFields });
/** visitors and take read nothing from the body: an empty one, or `{}` */
export const noBodySchema = z.strictObject({});

const msSinceEpoch = z.number().int().describe('ms since the epoch');

export const placeResponseSchema = z.discriminatedUnion('place', [
  z.object({ place: z.literal('none') }),
  z.object({ place: z.literal('prequeue') }),
  z.object({ place: z.literal('waiting'), ticket: z.number().int() }),
  z.object({ place: z.literal('offer'), ticket: z.number().int(), offerDeadline: msSinceEpoch }),
  z.object({ place: z.literal('admitted'), pass: z.string().describe('the admission pass (ES256 JWT)'), exp: z.number().int().describe('pass expiry, s since the epoch'), checkoutUrl: z.string() }),
  z.object({ place: z.literal('done') }),
]);
export type PlaceResponse = z.infer<typeof placeResponseSchema>;

const range = z.tuple([z.number(), z.number()]);

export const statusResponseSchema = z.intersection(
  z.object({
    saleId: z.string(),
    state: z.enum(['prequeue', 'open', 'paused', 'closed', 'sold_out', 'all_held', 'rejecting']).describe('rejecting: the queueing mode is reject'),
    ahead: z.number().int().nullable().describe('people ahead of this visitor; null when not waiting'),
    etaS: range.nullable().describe('estimated wait, soonest and latest, in seconds'),
    serving: z.number().int().describe('highest ticket admitted'),
    waiting: z.number().int(),
    ratePerMin: z.number(),
    measuredPerMin: range.nullable().describe('admissions per minute as measured over the last 15 s and 60 s'),
    message: z.string().describe("the organiser's message ('' for none)"),
    seed: z.string().describe("the opening shuffle's seed ('' before the opening)"),
    at: msSinceEpoch,
  }),
  placeResponseSchema,
);
export type StatusResponse = z.infer<typeof statusResponseSchema>;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/** The opening draw as published (draw-record.ts; README: A draw anyone can verify). */
export const drawRecordSchema = z.object({
  version: z.literal('usher-draw-v1'),
  saleId: z.string(),
  state: z.enum(['prequeue', 'committed', 'revealed']),
  closesAt: msSinceEpoch.describe('the pre-queue closes: arrivals before it are in the draw'),
  count: z.number().int().nullable(),
  commitment: hex64.nullable().describe('SHA-256 of the sorted hashed ids, each followed by LF'),
  committedAt: msSinceEpoch.nullable(),
  beacon: z.looseObject({ kind: z.enum(['drand', 'none']) }).nullable().describe('the beacon round fixed at the commit'),
  reveal: z.looseObject({ kind: z.enum(['drand', 'none', 'fallback']), randomness: z.string() }).nullable().describe("the beacon's value the seed came from"),
  seed: z.string().nullable(),
  firstTicket: z.number().int().nullable(),
  revealedAt: msSinceEpoch.nullable(),
  members: z.array(hex64).nullable().describe('the sorted hashed ids, after the reveal'),
});

export const visitorTokenResponseSchema = z.object({ token: z.string().describe('visitor token (HS256, 7 days)'), visitorId: z.string() });

export const controlsResponseSchema = z.object({
  saleId: z.string(),
  settings: z.object({
    ratePerMin: z.number(), maxActive: z.number(), paused: z.boolean(), closed: z.boolean(), message: z.string(),
    mode: z.enum(['fifo', 'random', 'passthrough', 'reject']), drawWindowS: z.number().nullable(),
  }),
});
export type ControlsResponse = z.infer<typeof controlsResponseSchema>;

export const jwksResponseSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional(), alg: z.string().optional(), use: z.string().optional() })),
});

export const livezResponseSchema = z.object({ ok: z.literal(true) });
export const readyzResponseSchema = z.object({ ok: z.boolean(), checks: z.record(z.string(), z.boolean()).optional(), draining: z.boolean() });
export type ReadyzResponse = z.infer<typeof readyzResponseSchema>;

/** RFC 9457, as common/problem.ts writes it. */
export const problemBodySchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string().optional(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** What the waiting-room page shows about its sale (admission/sale-page.ts), and where a fan goes on from it. */
export const salePageResponseSchema = z.object({
  saleId: z.string(),
  event: z.object({
    id: z.string(), title: z.string(), startsAt: z.string().describe('ISO 8601'),
    venue: z.object({ name: z.string(), city: z.string(), timezone: z.string() }),
  }).nullable().describe('null on an edge without PostgreSQL'),
  hadPrequeue: z.boolean().describe('the sale had a pre-queue: the page shows the opening draw only then'),
  branding: brandingSchema,
  links: z.object({ events: z.string(), orders: z.string(), event: z.string().nullable() }).describe("the fan pages on the API's origin"),
});
export type SalePageResponse = z.infer<typeof salePageResponseSchema>;
