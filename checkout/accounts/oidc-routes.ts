/**
 * "Sign in with <provider>": OpenID Connect, authorization code flow with PKCE (S256), state and
 * nonce, through `openid-client`. Off (the routes answer 404, the login page shows no button)
 * unless OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set.
 *
 * 1. `GET /v1/auth/oidc/start` keeps {PKCE verifier, nonce, where to go next} in Redis under a
 *    random state for 10 minutes and redirects to the provider.
 * 2. The provider redirects to `GET /v1/auth/oidc/callback`: the state is taken (GETDEL: once),
 *    the code exchanged and the ID token checked by openid-client (issuer, audience, signature,
 *    nonce, PKCE), the e-mail read from the userinfo endpoint when the ID token lacks it, and the
 *    account found, linked or created (oidc-accounts.ts).
 * 3. The tokens are not put in a URL: the callback redirects to `/login#oidc=<code>`, a random
 *    one-time code for 60 s, which the page exchanges at `POST /v1/auth/oidc/session`.
 *
 * The provider's discovery document is fetched on first use (and again after a failure), so an
 * unreachable provider costs the API nothing at start-up: its routes answer 503 meanwhile.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { counter } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { redisKeys } from '../../common/redis-keys.js';
import type { Config } from '../../common/config.js';
import { apiRoute, jsonAnswer, jsonBody } from '../api/api-route.js';
import type { AccountsDeps } from './accounts-routes.js';
import type { AuthEnv } from './auth-middleware.js';
import { sessionSchema } from './accounts-schemas.js';
import { accountForIdentity } from './oidc-accounts.js';

const signIns = counter('usher_auth_oidc_sign_ins_total', 'sign-ins through the OpenID Connect provider by outcome', ['outcome']);
const STATE_TTL_S = 600;
const HANDOFF_TTL_S = 60;

export interface OidcDeps extends AccountsDeps {
  redis: RedisClient;
  oidc: Config['oidc'];
  publicApiUrl: string;
  newSession(user: { userId: string; email: string; role: 'fan' | 'admin' }, emailVerified: boolean): Promise<unknown>;
}

const tags = ['accounts'];
const no = (description: string) => ({ description });
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
// only a path on this site (as the login page checks it too)
const nextPath = z.string().max(500).regex(/^\/(?!\/)[A-Za-z0-9/_?=&%.#-]*$/, 'a path on this site').optional();
const handoffCode = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the code after #oidc= in the address');

const statusSchema = z.object({ enabled: z.boolean(), name: z.string().nullable(), startUrl: z.string().nullable() });

interface Pending { verifier: string; nonce: string; next: string }

export async function addOidcRoutes(router: OpenAPIHono<AuthEnv>, deps: OidcDeps): Promise<void> {
  const settings = deps.oidc;
  const redirectUri = `${deps.publicApiUrl}/v1/auth/oidc/callback`;
  let discovered: Promise<oidc.Configuration> | undefined;
  const provider = (): Promise<oidc.Configuration> => {
    if (!settings) throw new Problem(404, 'oidc_disabled', 'sign-in with an OpenID Connect provider is not configured');
    const issuer = new URL(settings.issuer);
    // plain http only to a provider on this machine (the tests' local oidc-provider)
    const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
    discovered ??= oidc.discovery(issuer, settings.clientId, settings.clientSecret, undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : {});
    return discovered.catch((err: unknown) => {
      discovered = undefined;
      deps.log.warn({ err: (err as Error).message, issuer: settings.issuer }, 'OpenID Connect discovery failed');
      throw new Problem(503, 'oidc_unavailable', 'the sign-in provider cannot be reached; try again or log in with your password');
    });
  };

  router.openapi(apiRoute({
    method: 'get', path: '/v1/auth/oidc', summary: 'Whether sign-in with an OpenID Connect provider is on, and the provider as the login page names it', tags,
    responses: { 200: jsonAnswer(statusSchema, 'on or off') },
  }), (c) => c.json(settings ? { enabled: true, name: settings.name, startUrl: '/v1/auth/oidc/start' } : { enabled: false, name: null, startUrl: null }, 200));

  router.openapi(apiRoute({
    method: 'get', path: '/v1/auth/oidc/start', summary: 'Start a sign-in with the OpenID Connect provider (redirects to it; code flow with PKCE, state and nonce)', tags,
    request: { query: z.object({ next: nextPath }).strict() },
    responses: { 302: no('to the provider'), 404: no('not configured'), 503: no('the provider cannot be reached') },
  }), async (c) => {
    const config = await provider();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const pending: Pending = { verifier, nonce, next: c.req.valid('query').next ?? '/orders' };
    await deps.redis.set(redisKeys.oidcState(state), JSON.stringify(pending), 'EX', STATE_TTL_S);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid email profile', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    return c.redirect(url.href, 302);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/auth/oidc/callback', summary: 'Where the provider sends the fan back; redirects to the login page with a one-time code (or an error)', tags,
    request: { query: z.object({ state: z.string().max(200).optional(), code: z.string().max(2000).optional(), error: z.string().max(200).optional() }).loose() },
    responses: { 302: no('to /login#oidc=<one-time code>, or /login#oidc_error=<reason>') },
  }), async (c) => {
    const config = await provider();
    const query = c.req.valid('query');
    const fail = (reason: string) => {
      signIns.inc({ outcome: reason });
      return c.redirect(`/login#oidc_error=${reason}`, 302);
    };
    if (!query.state) return fail('invalid_state');
    const raw = await deps.redis.getdel(redisKeys.oidcState(query.state));
    if (!raw) return fail('invalid_state');
    const pending = JSON.parse(raw) as Pending;
    if (query.error) return fail(query.error === 'access_denied' ? 'denied' : 'provider_error');
    let identity;
    try {
      // the callback URL as the provider sent it, on the public address it was registered with
      const current = new URL(`${redirectUri}${new URL(c.req.url).search}`);
      const tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: query.state, expectedNonce: pending.nonce, idTokenExpected: true });
      const claims = tokens.claims()!;
      let email = typeof claims.email === 'string' ? claims.email : undefined;
      let verified = claims.email_verified === true;
      if (!email) {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = info.email;
        verified = info.email_verified === true;
      }
      identity = { issuer: claims.iss, subject: claims.sub, email, emailVerified: verified };
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'OpenID Connect code exchange refused');
      return fail('exchange_failed');
    }
    const result = await accountForIdentity(deps.pg, identity);
    if (!result.ok) return fail(result.reason);
    const { account } = result;
    const handoff = randomBytes(32).toString('base64url');
    const session = await deps.newSession({ userId: account.userId, email: account.email, role: account.role }, account.emailVerified);
    await deps.redis.set(redisKeys.oidcHandoff(handoff), JSON.stringify({ session, next: pending.next }), 'EX', HANDOFF_TTL_S);
    signIns.inc({ outcome: account.outcome });
    return c.redirect(`/login#oidc=${handoff}`, 302);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/oidc/session', summary: 'Exchange the one-time code of a provider sign-in for the session (once, within 60 s)', tags,
    request: { body: jsonBody(z.object({ code: handoffCode }).strict()) },
    responses: { 200: jsonAnswer(sessionSchema.extend({ next: z.string() }), 'the session, and where the fan was going'), 400: no('unknown, used or expired code') },
  }), async (c) => {
    const raw = await deps.redis.getdel(redisKeys.oidcHandoff(c.req.valid('json').code));
    if (!raw) throw new Problem(400, 'oidc_code_invalid', 'this sign-in code is unknown, used or expired; sign in again');
    const { session, next } = JSON.parse(raw) as { session: z.infer<typeof sessionSchema>; next: string };
    return c.json({ ...session, next }, 200);
  });
}
