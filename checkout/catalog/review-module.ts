/** The reviews routes, on the process's services. */
import type { CheckoutServices } from '../checkout-services.js';
import { createReviewRouter, DEFAULT_REVIEW_LIMITS, type ReviewLimits } from './review-routes.js';

export function reviewRoutes(s: CheckoutServices, options: { limits?: ReviewLimits } = {}) {
  return createReviewRouter({
    accessTokens: s.accessTokens, denylist: s.denylist, accountRoles: s.accountRoles,
    pg: s.ctx.pg, redis: s.ctx.redis, adminApiToken: s.ctx.config.secrets.adminApiToken,
    limits: options.limits ?? DEFAULT_REVIEW_LIMITS,
  });
}
