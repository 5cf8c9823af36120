/**
 * The fan's side of pricing: what a held order would cost with a promo code and points (nothing is
 * taken until checkout), and the account's points with their ledger.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiEnv } from '../api/api-env.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { clientIp } from '../api/client-ip.js';
import { needs } from '../api/openapi-document.js';
import { passAuth } from '../api/pass-auth.js';
import { requireUser, type AuthEnv } from '../accounts/auth-middleware.js';
import { CheckoutError } from '../checkout-errors.js';
import type { CheckoutServices } from '../checkout-services.js';
import { checkoutHeaders, holdParams } from '../holds/hold-schemas.js';
import { ownedHold } from '../holds/hold-view.js';
import { checkoutAccount } from '../payments/payment-routes.js';
import { promoAttempts } from './promo-attempts.js';
import { priceBreakdownSchema, quoteBody } from './pricing-schemas.js';

const loyaltyView = z.object({
  balance: z.number().int().describe('points; 1 point = 1 minor unit off an order'),
  entries: z.array(z.object({
    orderId: z.string(), kind: z.enum(['earn', 'spend', 'spend_returned', 'earn_reversed']), delta: z.number().int(), balanceAfter: z.number().int(), at: z.string(),
  })).describe('the latest 100 ledger entries, newest first'),
});

export function pricingRoutes(deps: CheckoutServices): OpenAPIHono<ApiEnv> {
  const { ctx, verifier } = deps;
  const router = apiRouter<ApiEnv>();
  const owner = passAuth({ verifier, redis: ctx.redis, requireLease: false });
  const countPromoAttempt = promoAttempts(ctx.redis, ctx.config.commerce.promoAttemptsPerMin);

  router.openapi(apiRoute({
    method: 'post', path: '/v1/holds/{id}/quote', summary: 'What the hold would cost with a promo code and points (takes nothing)', tags: ['payments'], security: needs('pass'),
    request: { params: holdParams, headers: checkoutHeaders.omit({ 'idempotency-key': true }), body: jsonBody(quoteBody) },
    middleware: [owner, checkoutAccount(deps)] as const,
    responses: {
      200: jsonAnswer(priceBreakdownSchema, 'the breakdown'),
      422: { description: 'promo_code_invalid (one answer whatever the reason), points_need_account' },
      429: { description: 'too many promo codes tried from this address or pass' },
    },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { hold, payment } = await ownedHold(deps, id, c.get('pass').jti);
    const fixed = await deps.pricing.fixed(id);
    if (fixed) return c.json(fixed, 200);
    if (!hold || hold.state !== 'HELD') throw new CheckoutError('hold_not_payable', `the hold is ${hold?.state ?? 'gone'}`);
    if (body.promoCode) await countPromoAttempt(c, { ip: clientIp(c, ctx.config.http.trustProxy), pass: c.get('pass').jti });
    const breakdown = await deps.pricing.quote({
      holdId: id, saleId: hold.saleId, items: hold.items, email: body.email ?? payment?.email ?? 'guest@invalid.invalid',
      userId: c.get('accountUserId'), promoCode: body.promoCode, points: body.points,
    });
    return c.json(breakdown, 200);
  });

  const me = apiRouter<AuthEnv>();
  me.openapi(apiRoute({
    method: 'get', path: '/v1/me/loyalty', summary: 'The account\'s loyalty points and ledger', tags: ['accounts'], security: needs('account'),
    middleware: [requireUser(deps)] as const,
    responses: { 200: jsonAnswer(loyaltyView, 'balance and entries') },
  }), async (c) => {
    const userId = c.get('user').userId;
    const [acct, entries] = await Promise.all([
      ctx.pg.query<{ balance: number }>('SELECT balance FROM loyalty_accounts WHERE user_id = $1', [userId]),
      ctx.pg.query<z.infer<typeof loyaltyView>['entries'][number]>(
        `SELECT hold_id AS "orderId", kind, delta, balance_after AS "balanceAfter", to_json(created_at) #>> '{}' AS at
         FROM loyalty_ledger WHERE user_id = $1 ORDER BY id DESC LIMIT 100`, [userId]),
    ]);
    return c.json({ balance: acct.rows[0]?.balance ?? 0, entries: entries.rows }, 200);
  });
  router.route('/', me as unknown as OpenAPIHono<ApiEnv>);
  return router;
}
