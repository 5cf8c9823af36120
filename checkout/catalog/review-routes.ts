/**
 * Reviews of events. Public: an event's visible reviews with its average and count. A fan's own:
 * write one per event (only with a live ticket, after the event started), edit, delete. Moderators
 * (organiser accounts and the operator token): hide with a reason, show again, list with hidden ones.
 * Writes are limited per account (a fixed window in Redis, common/fixed-window-counter.ts).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import { counter } from '../../common/metrics.js';
import type { PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { requireAdmin, requireUser, type AuthDeps, type AuthEnv } from '../accounts/auth-middleware.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { rateLimit } from '../api/rate-limit.js';
import { eventIdParams } from './catalog-schemas.js';
import {
  hideReviewBody, moderationPageSchema, myReviewSchema, newReviewBody, ownReviewSchema, reviewChangeBody, reviewIdParams, reviewListQuery, reviewPageSchema,
} from './review-schemas.js';
import { createReview, decodeReviewCursor, deleteReview, editReview, eligibility, listReviews, moderateReview, ownReview, ratingSummary } from './reviews.js';

const reviewWrites = counter('usher_reviews_written_total', 'review writes by outcome', ['outcome']);

export interface ReviewLimits { writesPerAccount: number; windowS: number }
export const DEFAULT_REVIEW_LIMITS: ReviewLimits = { writesPerAccount: 20, windowS: 3600 };

export interface ReviewDeps extends AuthDeps {
  pg: PgPool;
  redis: RedisClient;
  adminApiToken: string | undefined;
  limits: ReviewLimits;
}

const tags = ['reviews'];
const no = (description: string) => ({ description });

const REFUSALS = {
  no_event: [404, 'event_not_found', 'no such event'],
  not_yet: [409, 'event_not_taken_place', 'an event can be reviewed once it has taken place'],
  cancelled: [409, 'event_cancelled', 'a cancelled event cannot be reviewed'],
  no_ticket: [403, 'no_ticket', 'only fans who had a ticket for this event can review it'],
} as const;

function cursorOf(cursor: string | undefined) {
  if (!cursor) return null;
  const after = decodeReviewCursor(cursor);
  if (!after) throw new Problem(400, 'invalid_cursor', 'the cursor is not one this API issued');
  return after;
}

export function createReviewRouter(deps: ReviewDeps): OpenAPIHono<AuthEnv> {
  const router = apiRouter<AuthEnv>();
  const authed = requireUser(deps);
  const moderator = requireAdmin(deps);
  const writeLimit = rateLimit({
    name: 'review-writes', redis: deps.redis, limit: deps.limits.writesPerAccount, windowS: deps.limits.windowS,
    key: (c: Context) => (c as Context<AuthEnv>).get('user')?.userId,
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/events/{id}/reviews', summary: "An event's reviews, newest first, with its average rating and count", tags,
    request: { params: eventIdParams, query: reviewListQuery },
    responses: { 200: jsonAnswer(reviewPageSchema, 'one page of reviews (hidden ones are not shown)') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const [summary, page] = await Promise.all([ratingSummary(deps.pg, id), listReviews(deps.pg, id, q.limit, cursorOf(q.cursor))]);
    return c.json({ rating: summary, ...page }, 200);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/events/{id}/reviews/mine', summary: "The account's own review of the event (also when hidden), and whether it may write one", tags, security: needs('account'),
    middleware: [authed] as const,
    request: { params: eventIdParams },
    responses: { 200: jsonAnswer(myReviewSchema, 'its review or null'), 404: no('no such event') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const { userId } = c.get('user');
    const [review, may] = await Promise.all([ownReview(deps.pg, userId, id), eligibility(deps.pg, userId, id)]);
    if (may === 'no_event') throw new Problem(404, 'event_not_found', `no event ${id}`);
    const reason = review ? 'already_reviewed' as const : may;
    return c.json({ review, canReview: reason === 'ok', reason }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/events/{id}/reviews', summary: 'Rate and review an event you had a ticket for, once it has taken place (one review per event)', tags, security: needs('account'),
    middleware: [authed, writeLimit] as const,
    request: { params: eventIdParams, body: jsonBody(newReviewBody) },
    responses: {
      201: jsonAnswer(ownReviewSchema, 'the review'), 403: no('the account had no live ticket for this event'), 404: no('no such event'),
      409: no('already reviewed, not taken place yet, or cancelled'), 429: no('too many review writes by this account (Retry-After)'),
    },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const { userId } = c.get('user');
    const body = c.req.valid('json');
    const may = await eligibility(deps.pg, userId, id);
    if (may !== 'ok') {
      reviewWrites.inc({ outcome: may });
      const [status, code, detail] = REFUSALS[may];
      throw new Problem(status, code, detail);
    }
    const review = await createReview(deps.pg, userId, id, body.rating, body.body);
    if (!review) {
      reviewWrites.inc({ outcome: 'duplicate' });
      throw new Problem(409, 'already_reviewed', 'you have reviewed this event already; edit your review instead');
    }
    reviewWrites.inc({ outcome: 'created' });
    return c.json(review, 201);
  });

  router.openapi(apiRoute({
    method: 'patch', path: '/v1/reviews/{id}', summary: 'Change your own review (rating, text)', tags, security: needs('account'),
    middleware: [authed, writeLimit] as const,
    request: { params: reviewIdParams, body: jsonBody(reviewChangeBody) },
    responses: { 200: jsonAnswer(ownReviewSchema, 'the review as it is now (a hidden review stays hidden)'), 404: no('you have no such review') },
  }), async (c) => {
    const review = await editReview(deps.pg, c.get('user').userId, c.req.valid('param').id, c.req.valid('json'));
    if (!review) throw new Problem(404, 'review_not_found', 'you have no such review');
    return c.json(review, 200);
  });

  router.openapi(apiRoute({
    method: 'delete', path: '/v1/reviews/{id}', summary: 'Delete your own review', tags, security: needs('account'),
    middleware: [authed, writeLimit] as const,
    request: { params: reviewIdParams },
    responses: { 204: no('deleted'), 404: no('you have no such review') },
  }), async (c) => {
    if (!(await deleteReview(deps.pg, c.get('user').userId, c.req.valid('param').id))) throw new Problem(404, 'review_not_found', 'you have no such review');
    return c.body(null, 204);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/events/{id}/reviews', summary: "Moderators: an event's reviews including hidden ones", tags, security: needs('admin'),
    middleware: [moderator] as const,
    request: { params: eventIdParams, query: reviewListQuery },
    responses: { 200: jsonAnswer(moderationPageSchema, 'one page of reviews') },
  }), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listReviews(deps.pg, c.req.valid('param').id, q.limit, cursorOf(q.cursor), true) as z.infer<typeof moderationPageSchema>, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/reviews/{id}/hide', summary: 'Moderators: hide a review, with a reason (it stays, shown only to its author)', tags, security: needs('admin'),
    middleware: [moderator] as const,
    request: { params: reviewIdParams, body: jsonBody(hideReviewBody) },
    responses: { 200: jsonAnswer(ownReviewSchema, 'the review, hidden'), 404: no('no such review') },
  }), async (c) => {
    const review = await moderateReview(deps.pg, c.req.valid('param').id, c.get('user').userId, c.req.valid('json').reason);
    if (!review) throw new Problem(404, 'review_not_found', 'no such review');
    return c.json(review, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/reviews/{id}/show', summary: 'Moderators: show a hidden review again', tags, security: needs('admin'),
    middleware: [moderator] as const,
    request: { params: reviewIdParams },
    responses: { 200: jsonAnswer(ownReviewSchema, 'the review, visible'), 404: no('no such review') },
  }), async (c) => {
    const review = await moderateReview(deps.pg, c.req.valid('param').id, c.get('user').userId, null);
    if (!review) throw new Problem(404, 'review_not_found', 'no such review');
    return c.json(review, 200);
  });
  return router;
}
