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
export const meSchema = z.object({ userId: z.string(), email: z.string(), role: z.enum(['fan', 'admin']), ...emailState });
export const emailVerifiedSchema = z.object({ email: z.string(), ...emailState });
export const verificationQueuedSchema = z.object({ status: z.literal('queued'), email: z.string() });
export const myOrdersSchema = z.object({ orders: z.array(z.object({ id: z.string(), status: z.string(), event: z.object({ id: z.string(), title: z.string() }).loose() }).loose()) });
