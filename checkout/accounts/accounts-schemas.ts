/** The accounts routes' request and answer schemas: they validate the requests and document both in `/openapi.json`. */
import { z } from 'zod';
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
export const emailVerifiedSchema = z.object({ email: z.string(), ...emailState });
export const verificationQueuedSchema = z.object({ status: z.literal('queued'), email: z.string() });
export const myOrdersSchema = z.object({ orders: z.array(z.object({ id: z.string(), status: z.string(), event: z.object({ id: z.string(), title: z.string() }).loose() }).loose()) });

// The fan's own account (account-self-routes.ts).
const newPassword = z.string().min(10, 'use at least 10 characters').max(200);
const currentPassword = z.string().min(1).max(200).optional().describe('the current password (not needed by an account without one: OpenID Connect only)');
export const profileSchema = z.object({
  userId: z.string(), email: z.string(), role: z.enum(['fan', 'admin']), ...emailState,
  displayName: z.string().nullable(), phone: z.string().nullable().describe('E.164, e.g. +4915112345678'),
  pendingEmail: z.string().nullable().describe('a new address waiting for its confirmation link to be opened'),
  hasPassword: z.boolean(),
});
export const profileChange = z.object({
  displayName: z.string().trim().min(1).max(80).nullable().optional().describe('null clears it'),
  phone: z.string().trim().regex(/^\+[1-9][0-9]{6,14}$/, 'an international number in E.164: + and country code, digits only, e.g. +4915112345678').nullable().optional().describe('null clears it'),
}).strict().refine((v) => v.displayName !== undefined || v.phone !== undefined, { message: 'nothing to change' });
export const emailChangeBody = z.object({ email, password: currentPassword }).strict();
export const emailChangeQueued = z.object({ status: z.literal('queued'), pendingEmail: z.string() });
export const confirmEmailChangeBody = verifyEmailBody;
export const emailChangedSchema = z.object({ email: z.string(), emailVerified: z.literal(true) });
export const passwordChangeBody = z.object({ currentPassword, newPassword }).strict();
export const passwordResetRequest = z.object({ email }).strict();
export const passwordResetQueued = z.object({ status: z.literal('queued') }).describe('the same answer whether or not an account has this address');
export const passwordResetBody = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a reset token (the part after #token= in the link)'), newPassword }).strict();
export const passwordResetDone = z.object({ status: z.literal('reset'), email: z.string() });
export const deleteAccountBody = z.object({ password: currentPassword }).strict();
