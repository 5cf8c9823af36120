/** The reviews routes' requests and answers, as `/openapi.json` shows them. */
import { z } from 'zod';

export const REVIEW_BODY_MAX = 2000;
export const rating = z.number().int().min(1).max(5).describe('1 (poor) to 5 (excellent)');
const body = z.string().trim().max(REVIEW_BODY_MAX, `at most ${REVIEW_BODY_MAX} characters`)
  .describe('plain text: shown as text, never as HTML');

export const reviewIdParams = z.object({ id: z.uuid() });
export const newReviewBody = z.object({ rating, body: body.default('') }).strict();
export const reviewChangeBody = z.object({ rating: rating.optional(), body: body.optional() }).strict()
  .refine((v) => v.rating !== undefined || v.body !== undefined, { message: 'nothing to change' });
export const hideReviewBody = z.object({ reason: z.string().trim().min(1).max(500).describe('why, for the author and the other moderators') }).strict();
export const reviewListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().min(1).max(200).optional(),
}).strict();

export const ratingSummarySchema = z.object({
  average: z.number().nullable().describe('mean of the visible ratings, one decimal; null without any'),
  count: z.number().int(),
});
export const reviewSchema = z.object({
  id: z.string(), eventId: z.string(), rating: z.number().int(), body: z.string(),
  author: z.string().describe("the author's display name, or 'A fan'"),
  createdAt: z.string(), updatedAt: z.string(), edited: z.boolean(),
});
export const ownReviewSchema = reviewSchema.extend({
  hidden: z.object({ at: z.string(), reason: z.string() }).nullable().describe('hidden by a moderator: not shown to others'),
});
export const reviewPageSchema = z.object({ rating: ratingSummarySchema, items: z.array(reviewSchema), nextCursor: z.string().nullable() });
export const moderationPageSchema = z.object({ items: z.array(ownReviewSchema), nextCursor: z.string().nullable() });
export const myReviewSchema = z.object({
  review: ownReviewSchema.nullable(),
  canReview: z.boolean().describe('true when the account may write its review of this event now'),
  reason: z.enum(['ok', 'not_yet', 'cancelled', 'no_ticket', 'already_reviewed']),
});
