/**
 * SMS preferences and opt-out:
 * - `GET|PUT /v1/me/sms`: the account's opt-in to confirmations and reminders by text (the phone
 *   number itself is part of the profile; opting in needs one).
 * - `POST /v1/webhooks/twilio/sms`: Twilio's incoming-message webhook. STOP (and Twilio's other
 *   opt-out words) puts the number on sms_opt_outs, whatever any account says; START takes it off.
 *   The X-Twilio-Signature is checked with twilio.validateRequest over the URL Twilio called
 *   (PUBLIC_API_URL + path) and the form parameters; anything else is refused and changes nothing.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import twilio from 'twilio';
import { z } from 'zod';
import { counter } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import type { ApiEnv } from '../api/api-env.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import type { CheckoutServices } from '../checkout-services.js';
import { requireUser, type AuthEnv } from './auth-middleware.js';

const received = counter('usher_twilio_webhooks_total', 'Twilio incoming-message webhooks by outcome', ['outcome']);

/** Twilio's standard opt-out and opt-in keywords (Advanced Opt-Out also sends OptOutType). */
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

export const smsSettingsView = z.object({
  optIn: z.boolean(),
  phone: z.string().nullable(),
  /** the number answered STOP: nothing is sent until it texts START */
  stoppedByReply: z.boolean(),
  /** false when this deployment has no SMS provider configured */
  available: z.boolean(),
});

const path = '/v1/webhooks/twilio/sms';

export function smsRoutes(deps: CheckoutServices): OpenAPIHono<ApiEnv & AuthEnv> {
  const router = apiRouter<ApiEnv & AuthEnv>();
  const { pg, config } = deps.ctx;
  const authed = requireUser(deps);

  const settings = async (userId: string) => {
    const { rows } = await pg.query<{ sms_opt_in: boolean; phone: string | null; stopped: boolean }>(
      `SELECT u.sms_opt_in, u.phone, EXISTS (SELECT 1 FROM sms_opt_outs x WHERE x.phone = u.phone) AS stopped FROM users u WHERE u.id = $1`, [userId]);
    const row = rows[0];
    if (!row) throw new Problem(404, 'account_not_found', 'this account no longer exists');
    return { optIn: row.sms_opt_in, phone: row.phone, stoppedByReply: row.stopped, available: config.sms.enabled };
  };

  router.openapi(apiRoute({
    method: 'get', path: '/v1/me/sms', summary: 'Whether the account gets its confirmations and reminders by SMS too', tags: ['accounts'], security: needs('account'),
    middleware: [authed] as const,
    responses: { 200: jsonAnswer(smsSettingsView, 'the SMS settings') },
  }), async (c) => c.json(await settings(c.get('user').userId), 200));

  router.openapi(apiRoute({
    method: 'put', path: '/v1/me/sms', summary: 'Opt in to (or out of) order texts; opting in needs a phone number on the account', tags: ['accounts'], security: needs('account'),
    middleware: [authed] as const,
    request: { body: jsonBody(z.strictObject({ optIn: z.boolean() })) },
    responses: { 200: jsonAnswer(smsSettingsView, 'the SMS settings'), 409: { description: 'phone_required: the account has no phone number' } },
  }), async (c) => {
    const { optIn } = c.req.valid('json');
    const userId = c.get('user').userId;
    const res = await pg.query('UPDATE users SET sms_opt_in = $2 WHERE id = $1 AND ($2 = false OR phone IS NOT NULL)', [userId, optIn]);
    if (res.rowCount !== 1) {
      await settings(userId); // 404 for a deleted account
      throw new Problem(409, 'phone_required', 'add a phone number to the account before opting in to texts');
    }
    return c.json(await settings(userId), 200);
  });

  router.openapi(apiRoute({
    method: 'post', path, summary: 'Twilio incoming messages: STOP opts the number out of every text, START back in (signed: X-Twilio-Signature)', tags: ['webhooks'], security: needs('twilio_signature'),
    request: { headers: z.object({ 'x-twilio-signature': z.string().min(1).max(512) }) },
    responses: { 204: { description: 'handled; no reply message (Twilio takes an empty 204 like an empty TwiML answer)' } },
  }), async (c) => {
    const token = config.sms.authToken;
    if (!config.sms.enabled || !token) throw new Problem(404, 'sms_off', 'SMS is not configured here (TWILIO_*)');
    const type = c.req.header('content-type') ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) throw new Problem(415, 'unsupported_media_type', 'Twilio posts application/x-www-form-urlencoded');
    const params = Object.fromEntries(new URLSearchParams(await c.req.text()));
    if (!twilio.validateRequest(token, c.req.valid('header')['x-twilio-signature'], `${config.http.publicApiUrl}${path}`, params)) {
      received.inc({ outcome: 'bad_signature' });
      throw new Problem(403, 'webhook_signature', 'the X-Twilio-Signature does not match');
    }
    const from = params.From ?? '';
    const word = (params.Body ?? '').trim().toUpperCase();
    const optOutType = (params.OptOutType ?? '').toUpperCase();
    let outcome = 'ignored';
    if (/^\+[1-9]\d{6,14}$/.test(from) && (optOutType === 'STOP' || STOP_WORDS.has(word))) {
      // idempotent: a repeated STOP keeps the first time
      await pg.query(`INSERT INTO sms_opt_outs (phone, source) VALUES ($1, 'stop_reply') ON CONFLICT (phone) DO NOTHING`, [from]);
      outcome = 'opted_out';
    } else if (/^\+[1-9]\d{6,14}$/.test(from) && (optOutType === 'START' || START_WORDS.has(word))) {
      await pg.query('DELETE FROM sms_opt_outs WHERE phone = $1', [from]);
      outcome = 'opted_in';
    }
    received.inc({ outcome });
    deps.ctx.log.info({ outcome }, 'twilio incoming message handled');
    return c.body(null, 204);
  });

  return router;
}
