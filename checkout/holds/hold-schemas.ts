/** The request and response shapes of the hold and payment routes (validation + OpenAPI). */
import { z } from 'zod';
import { gatewayNames } from '../payments/payment-gateway.js';
import { priceBreakdownSchema, pricingInputs } from '../pricing/pricing-schemas.js';

export const saleParams = z.object({ sale: z.uuid() });
export const holdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9:_.{}-]{8,128}$/, 'not a hold id') });

const sectionOrTier = {
  sectionId: z.uuid().optional(),
  tierCode: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).optional(),
};

export const holdRequestBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('best'),
    ...sectionOrTier,
    quantity: z.number().int().min(1).max(50),
    together: z.boolean().optional(),
  }).refine((b) => (b.sectionId === undefined) !== (b.tierCode === undefined), { message: 'give exactly one of sectionId or tierCode' }),
  z.strictObject({
    kind: z.literal('seats'),
    seatIds: z.array(z.number().int().positive()).min(1).max(50),
  }),
]);

export const idempotencyHeaders = z.object({ 'idempotency-key': z.string().max(255).optional() });

/** Checkout may also name the fan's account (the Authorization header carries the admission pass). */
export const checkoutHeaders = idempotencyHeaders.extend({
  'x-usher-account': z.string().min(1).max(4096).optional()
    .describe('the access token of the fan\'s account, when logged in: the order then belongs to that account'),
});

export const heldItem = z.object({
  sectionId: z.string(), tierCode: z.string(), seatId: z.number().int().nullable(), label: z.string(), priceMinor: z.number().int(),
});

export const holdView = z.object({
  holdId: z.string(),
  saleId: z.string(),
  state: z.enum(['HELD', 'CLAIMED', 'SOLD', 'RELEASED', 'EXPIRED', 'LOST']),
  items: z.array(heldItem),
  amountMinor: z.number().int().describe('the tickets\' prices; what is paid is breakdown.totalMinor'),
  currency: z.string(),
  breakdown: priceBreakdownSchema.describe('fee and tax of the event; discounts once checkout priced the hold'),
  deadline: z.string().nullable(),
  secondsLeft: z.number().int(),
  extended: z.boolean(),
  payment: z.object({
    paymentIntentId: z.string(), gateway: z.enum(gatewayNames), status: z.string(), failureReason: z.string().nullable(),
  }).nullable(),
  orderId: z.string().nullable(),
});
export type HoldView = z.infer<typeof holdView>;

export const checkoutBody = z.strictObject({
  email: z.email().max(254),
  ...pricingInputs,
  gateway: z.enum(gatewayNames).optional().describe('how the fan pays, one the sale offers (GET /v1/sales/{sale}/payment-gateways); default: the sale\'s first'),
});

export const saleGatewaysView = z.object({ saleId: z.string(), gateways: z.array(z.enum(gatewayNames)), default: z.enum(gatewayNames).nullable() });

export const checkoutView = z.object({
  holdId: z.string(),
  gateway: z.enum(gatewayNames),
  demo: z.boolean(),
  paymentIntentId: z.string(),
  clientSecret: z.string().nullable(),
  approveUrl: z.string().nullable().describe('PayPal: where the fan approves the payment; back on the checkout page, POST …/confirm'),
  publishableKey: z.string().nullable(),
  amountMinor: z.number().int().describe('the amount authorized: breakdown.totalMinor'),
  currency: z.string(),
  breakdown: priceBreakdownSchema,
  deadline: z.string(),
  orderToken: z.string(),
  orderUrl: z.string(),
});

export const paymentAccepted = z.object({ holdId: z.string(), status: z.enum(['processing', 'committed']), orderUrl: z.string() });

/** A sale's places per section (the hold routes' availability, and each sale of a catalog event). */
export const availabilitySchema = z.object({
  saleId: z.string(),
  currency: z.string(),
  status: z.enum(['on_sale', 'all_held', 'sold_out']),
  sections: z.array(z.object({ sectionId: z.string(), name: z.string(), kind: z.enum(['reserved', 'ga']), tierCode: z.string().nullable(), tierName: z.string().nullable(), priceMinor: z.number().int().nullable(), capacity: z.number(), free: z.number(), held: z.number(), claimed: z.number(), sold: z.number() })),
});
