/**
 * The accounts routes' request and answer schemas, and their OpenAPI entries. The routes validate
 * with the request schemas here (a bad body is a 400 problem, as everywhere in accounts), and the
 * same schemas document them in `/openapi.json` through the registry `defineRoute` also feeds.
 */
import { z } from 'zod';
import { registerRouteDoc } from '../api/openapi-registry.js';
import { TOKEN_SHAPE } from './email-verification-token.js';

const email = z.email().max(254).transform((e) => e.trim());
export const credentials = z.object({ email, password: z.string().min(1).max(200) }).strict();
export const registration = z.object({ email, password: z.string().min(10, 'use at least 10 characters').max(200) }).strict();
export const refreshBody = z.object({ refreshToken: z.string().min(20).max(200) }).strict();
export const verifyEmailBody = z.object({
  token: z.string().max(2048).regex(TOKEN_SHAPE, 'not a verification token (the part after #token= in the link)'),
}).strict();

const emailState = {
  emailVerified: z.boolean().describe('the account proved it receives mail at this address; guest orders bought with it are listed only then'),
  emailVerifiedAt: z.iso.datetime().nullable(),
};
export const sessionSchema = z.object({
  accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int(),
  user: z.object({ id: z.uuid(), email: z.string(), role: z.enum(['fan', 'admin']), emailVerified: emailState.emailVerified }),
});
export const meSchema = z.object({ userId: z.string(), email: z.string(), role: z.enum(['fan', 'admin']), ...emailState });
export const emailVerifiedSchema = z.object({ email: z.string(), ...emailState });
export const verificationQueuedSchema = z.object({ status: z.literal('queued'), email: z.string() });
const myOrdersSchema = z.object({ orders: z.array(z.object({ id: z.string(), status: z.string(), event: z.object({ id: z.string(), title: z.string() }).loose() }).loose()) });

let documented = false;

export function documentAccountRoutes(): void {
  if (documented) return;
  documented = true;
  const tags = ['accounts'];
  const docs: Parameters<typeof registerRouteDoc>[0][] = [
    { method: 'post', path: '/v1/auth/register', summary: 'Create a fan account; mails a link to verify the address', tags, body: registration,
      responses: { 201: { description: 'the session (the address is not verified yet)', schema: sessionSchema }, 409: { description: 'an account with this e-mail exists' } } },
    { method: 'post', path: '/v1/auth/login', summary: 'Log in with e-mail and password', tags, body: credentials,
      responses: { 200: { description: 'the session', schema: sessionSchema }, 401: { description: 'wrong e-mail or password' }, 429: { description: 'too many failed attempts (Retry-After)' } } },
    { method: 'post', path: '/v1/auth/refresh', summary: 'Rotate the refresh token for a new session', tags, body: refreshBody,
      responses: { 200: { description: 'the session', schema: sessionSchema }, 401: { description: 'unknown, expired, revoked or reused refresh token' } } },
    { method: 'post', path: '/v1/auth/logout', summary: 'Revoke the refresh token family and the bearer access token', tags, body: refreshBody.partial(),
      responses: { 204: { description: 'logged out (idempotent)' } } },
    { method: 'post', path: '/v1/auth/verify-email', summary: 'Confirm the account e-mail with the token of the mailed link', tags, body: verifyEmailBody,
      responses: {
        200: { description: 'verified now', schema: emailVerifiedSchema },
        400: { description: 'malformed, forged or wrong-purpose token' },
        404: { description: 'the account no longer exists' },
        409: { description: 'the address is already verified' },
        410: { description: 'the link has expired: ask for a new one' },
        422: { description: 'the link was sent to an address the account no longer has' },
      } },
    { method: 'get', path: '/v1/me', summary: 'The logged-in account, with whether its e-mail is verified', tags, security: 'account',
      responses: { 200: { description: 'the account', schema: meSchema }, 401: { description: 'missing, invalid, expired or revoked access token' } } },
    { method: 'post', path: '/v1/me/verification-email', summary: 'Mail a new verification link to the account address (rate limited)', tags, security: 'account',
      responses: {
        202: { description: 'the e-mail is queued', schema: verificationQueuedSchema },
        409: { description: 'the address is already verified' },
        429: { description: 'one a minute and five a day per account (Retry-After)' },
      } },
    { method: 'get', path: '/v1/me/orders', summary: "The fan's orders: placed while logged in, and guest orders with the account e-mail once it is verified", tags, security: 'account',
      responses: { 200: { description: 'orders with their tickets, newest first', schema: myOrdersSchema } } },
  ];
  for (const doc of docs) registerRouteDoc(doc);
}
