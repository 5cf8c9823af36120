/**
 * The fan's own account, on the accounts router: profile (name, phone), a change of e-mail with
 * re-verification, a change of password, a forgotten password by mailed link, and deletion.
 *
 * A change of password, a reset and a deletion end every session: the refresh tokens are revoked
 * in PostgreSQL and the access tokens issued before it are refused from then on (access-denylist.ts).
 *
 * A password reset is asked for by address and answered alike whether or not an account has it
 * (202, and the same work either way but the mail), limited per client address (429) and
 * silently per e-mail address (the mailbox is not flooded, and the answer still tells nothing).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { CountHit } from '../../common/fixed-window-counter.js';
import { counter } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import { redisKeys } from '../../common/redis-keys.js';
import { apiRoute, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { enforceLimit, refuseFor } from '../api/rate-limit.js';
import type { AccountMailQueue } from '../worker/notifications/account-mail.js';
import {
  confirmEmailChangeBody, deleteAccountBody, emailChangeBody, emailChangedSchema, emailChangeQueued, passwordChangeBody,
  passwordResetBody, passwordResetDone, passwordResetQueued, passwordResetRequest, profileChange, profileSchema, sessionSchema,
} from './accounts-schemas.js';
import { deleteAccount } from './account-deletion.js';
import { changePassword, checkPassword, confirmEmailChange, requestEmailChange, resetPassword } from './account-credentials.js';
import type { AccountsDeps } from './accounts-routes.js';
import type { AuthEnv } from './auth-middleware.js';
import { requireUser } from './auth-middleware.js';
import { VerificationTokenError, type EmailVerificationTokens } from './email-verification-token.js';
import type { VerificationMailLimiter } from './verification-mail-limit.js';
import { readProfile, updateProfile, type Profile } from './profile.js';

const resets = counter('usher_auth_password_resets_total', 'password reset requests and redemptions by outcome', ['outcome']);

export interface ResetLimits {
  /** reset requests one client address may make per window (429 past it) */
  perAddressIp: number;
  /** reset mails one e-mail address is sent per window (silently none past it) */
  perEmail: number;
  windowS: number;
}
export const DEFAULT_RESET_LIMITS: ResetLimits = { perAddressIp: 10, perEmail: 3, windowS: 3600 };

export interface AccountSelfDeps extends AccountsDeps {
  /** the mails to a new address, limited like the verification mails but counted apart */
  changeMailLimiter: VerificationMailLimiter;
  accountMail: Pick<AccountMailQueue, 'enqueueEmailChange' | 'enqueuePasswordReset'>;
  emailChangeTokens: EmailVerificationTokens;
  countHit: CountHit;
  resetLimits: ResetLimits;
  /** a new session for the account (the caller's, after its password changed) */
  newSession(user: { userId: string; email: string; role: 'fan' | 'admin' }, emailVerified: boolean): Promise<unknown>;
}

const tags = ['accounts'];
const no = (description: string) => ({ description });

const me = (c: Context<AuthEnv>, p: Profile) => ({ userId: c.get('user').userId, role: c.get('user').role, ...p });

function refusePassword(check: 'ok' | 'wrong_password' | 'no_account'): void {
  if (check === 'no_account') throw new Problem(404, 'account_not_found', 'this account no longer exists');
  if (check === 'wrong_password') throw new Problem(403, 'wrong_password', 'the current password is not right');
}

async function hit(deps: AccountSelfDeps, name: string, who: string): Promise<number> {
  const window = Math.floor(Date.now() / 1000 / deps.resetLimits.windowS);
  return deps.countHit(redisKeys.rateWindow(name, who, window), (deps.resetLimits.windowS + 1) * 1000);
}

export function addAccountSelfRoutes(router: OpenAPIHono<AuthEnv>, deps: AccountSelfDeps): void {
  const authed = requireUser(deps);

  router.openapi(apiRoute({
    method: 'patch', path: '/v1/me', summary: 'Change the display name and the phone number (E.164) of the account', tags, security: needs('account'),
    middleware: [authed] as const,
    request: { body: jsonBody(profileChange) },
    responses: { 200: jsonAnswer(profileSchema, 'the account as it is now'), 401: no('not logged in'), 404: no('the account no longer exists') },
  }), async (c) => {
    const profile = await updateProfile(deps.pg, c.get('user').userId, c.req.valid('json'));
    if (!profile) throw new Problem(404, 'account_not_found', 'this account no longer exists');
    return c.json(me(c, profile), 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/me/email', summary: 'Change the e-mail address: mails a link to the new one, which takes effect only when it is opened', tags, security: needs('account'),
    middleware: [authed] as const,
    request: { body: jsonBody(emailChangeBody) },
    responses: {
      202: jsonAnswer(emailChangeQueued, 'the link is on its way to the new address; the account keeps the old one until it is opened'),
      403: no('the current password is wrong'), 409: no('another account has this address'), 422: no('this is the address the account has'),
      429: no('account e-mails are limited (Retry-After)'),
    },
  }), async (c) => {
    const { userId } = c.get('user');
    const body = c.req.valid('json');
    const outcome = await requestEmailChange(deps.pg, userId, body.password, body.email);
    if (!outcome.ok) {
      if (outcome.reason === 'same_email') throw new Problem(422, 'same_email', 'this is already the address of the account');
      if (outcome.reason === 'email_taken') throw new Problem(409, 'email_taken', 'another account has this e-mail address');
      refusePassword(outcome.reason);
    }
    const wait = await deps.changeMailLimiter.take(userId);
    if (wait > 0) {
      refuseFor(c, wait, 'too_many_account_emails', `an account e-mail was sent recently; ask again in ${wait} s`);
    }
    await deps.accountMail.enqueueEmailChange(userId, body.email);
    return c.json({ status: 'queued' as const, pendingEmail: body.email }, 202);
  });

  // No login needed (the link may be opened on another device): the token is the credential.
  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/confirm-email-change', summary: 'Make the new address the account e-mail, with the token of the link mailed to it', tags,
    request: { body: jsonBody(confirmEmailChangeBody) },
    responses: {
      200: jsonAnswer(emailChangedSchema, 'the account has the new address now, verified'),
      400: no('malformed, forged or wrong-purpose token'), 409: no('another account took the address meanwhile'),
      410: no('the link has expired'), 422: no('the account no longer waits for this address (changed again, or done)'),
    },
  }), async (c) => {
    let claims;
    try {
      claims = await deps.emailChangeTokens.verify(c.req.valid('json').token);
    } catch (err) {
      if (!(err instanceof VerificationTokenError)) throw err;
      if (err.reason === 'expired') throw new Problem(410, 'email_change_link_expired', err.message);
      throw new Problem(400, 'email_change_link_invalid', 'this link is not valid');
    }
    const outcome = await confirmEmailChange(deps.pg, claims);
    if (!outcome.ok) {
      if (outcome.reason === 'email_taken') throw new Problem(409, 'email_taken', 'another account has this e-mail address now');
      throw new Problem(422, 'email_change_not_pending', 'the account no longer waits for this address; ask for a new link');
    }
    return c.json({ email: outcome.email, emailVerified: true as const }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/me/password', summary: 'Change the password (needs the current one); every other session is logged out', tags, security: needs('account'),
    middleware: [authed] as const,
    request: { body: jsonBody(passwordChangeBody) },
    responses: { 200: jsonAnswer(sessionSchema, 'a new session for this device (every refresh token of the account was revoked)'), 403: no('the current password is wrong') },
  }), async (c) => {
    const user = c.get('user');
    const body = c.req.valid('json');
    refusePassword(await changePassword(deps.pg, user.userId, body.currentPassword, body.newPassword));
    // other devices' access tokens end now too, and so does the one that asked
    await deps.denylist.denyAccountBefore(user.userId);
    await deps.denylist.deny(c.get('bearer'));
    const profile = await readProfile(deps.pg, user.userId);
    return c.json((await deps.newSession(user, profile?.emailVerified ?? false)) as never, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/password-reset', summary: 'Mail a password reset link (the same answer whether or not the address has an account)', tags,
    request: { body: jsonBody(passwordResetRequest) },
    responses: { 202: jsonAnswer(passwordResetQueued, 'if an account has this address, a link is on its way'), 429: no('too many requests from this client address (Retry-After)') },
  }), async (c) => {
    const { email } = c.req.valid('json');
    const limits = deps.resetLimits;
    enforceLimit(c, 'password-reset', limits.perAddressIp, limits.windowS, await hit(deps, 'password-reset-ip', deps.clientAddress(c)));
    const mailbox = createHash('sha256').update(email.toLowerCase()).digest('base64url').slice(0, 22);
    const [sends, found] = await Promise.all([
      hit(deps, 'password-reset-mail', mailbox),
      deps.pg.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE lower(email) = lower($1)', [email]),
    ]);
    const user = found.rows[0];
    if (!user) resets.inc({ outcome: 'no_account' });
    else if (sends > limits.perEmail) resets.inc({ outcome: 'mailbox_limited' });
    else {
      await deps.accountMail.enqueuePasswordReset(user.id, user.email);
      resets.inc({ outcome: 'queued' });
    }
    return c.json({ status: 'queued' as const }, 202);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/password-reset/confirm', summary: 'Set a new password with the token of the reset link (once); every session is logged out', tags,
    request: { body: jsonBody(passwordResetBody) },
    responses: { 200: jsonAnswer(passwordResetDone, 'the password is changed: log in with it'), 400: no('the link is unknown, used or expired') },
  }), async (c) => {
    const body = c.req.valid('json');
    const done = await resetPassword(deps.pg, body.token, body.newPassword);
    resets.inc({ outcome: done ? 'reset' : 'refused' });
    if (!done) throw new Problem(400, 'reset_link_invalid', 'this reset link is unknown, used or expired; ask for a new one');
    await deps.denylist.denyAccountBefore(done.userId);
    return c.json({ status: 'reset' as const, email: done.email }, 200);
  });

  router.openapi(apiRoute({
    method: 'delete', path: '/v1/me', summary: 'Delete the account: personal data erased, orders kept for the organiser without the person, every session ended', tags, security: needs('account'),
    middleware: [authed] as const,
    request: { body: jsonBody(deleteAccountBody) },
    responses: { 204: no('deleted'), 403: no('the current password is wrong') },
  }), async (c) => {
    const { userId } = c.get('user');
    refusePassword(await checkPassword(deps.pg, userId, c.req.valid('json').password));
    if (!(await deleteAccount(deps.pg, userId))) throw new Problem(404, 'account_not_found', 'this account no longer exists');
    await Promise.all([deps.denylist.deny(c.get('bearer')), deps.denylist.denyAccountBefore(userId)]);
    deps.log.info({ userId }, 'account deleted');
    return c.body(null, 204);
  });
}
