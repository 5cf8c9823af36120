/** The price breakdown as the API shows it (hold, checkout, order), and the checkout's pricing inputs. */
import { z } from 'zod';

export const priceBreakdownSchema = z.object({
  currency: z.string(),
  ticketCount: z.number().int(),
  ticketsMinor: z.number().int(),
  promoCode: z.string().nullable(),
  promoDiscountMinor: z.number().int(),
  pointsSpent: z.number().int(),
  pointsDiscountMinor: z.number().int(),
  serviceFeeMinor: z.number().int(),
  taxRateBps: z.number().int(),
  taxInclusive: z.boolean(),
  taxMinor: z.number().int(),
  totalMinor: z.number().int().describe('what is authorized, captured and (on a full refund) refunded'),
}).describe('amounts in the currency\'s minor unit (JPY none, BHD three decimals); computed once at checkout');

/** What a fan may add at checkout: one promo code, and points from their account (1 point = 1 minor unit). */
export const pricingInputs = {
  promoCode: z.string().trim().min(1).max(64).optional().describe('case-insensitive'),
  points: z.number().int().min(0).max(100_000_000).optional().describe('points to spend (needs x-usher-account)'),
};

export const quoteBody = z.strictObject({ ...pricingInputs, email: z.email().max(254).optional() });
