/**
 * Presale access of a sale's queue, shared by the API's admin route (organisers set it) and the edge
 * (join-15.lua checks it): until `presaleUntil` every newcomer needs an access code from the
 * organiser's uploaded list or an enqueue token (a JWT the organiser's own system signs with a key
 * of the JWKS it registered). Each code and each token admits one visitor, decided atomically by the
 * join script. Codes are stored only as salted SHA-256 digests (`accessCodeDigest`), so a Redis dump
 * does not hand them out; the salt is the sale, so one digest is useless on another sale.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys } from './queue-keys.js';
import { publishSaleEvent } from './sale-channel.js';

/** Codes are typed by fans: letters, digits and dashes, compared without case. */
export const accessCodeSchema = z.string().trim().regex(/^[A-Za-z0-9-]{6,64}$/, 'an access code is 6-64 letters, digits or dashes');

const jwkSchema = z.looseObject({ kty: z.enum(['RSA', 'EC', 'OKP']), kid: z.string().max(200).optional() })
  .refine((k) => !('d' in k), { message: 'register public keys only (the JWK has a private part "d")' });
const jwksSchema = z.strictObject({ keys: z.array(jwkSchema).min(1).max(20) });
/** A JWKS, or a single public JWK (stored as a one-key JWKS). */
export const enqueueJwksSchema = z.union([jwksSchema, jwkSchema]);

export const saleAccessSchema = z.strictObject({
  /** Until when newcomers need a code or a token: an ISO time, 'always' (invite-only), or null (no presale). */
  presaleUntil: z.union([z.iso.datetime({ offset: true }), z.literal('always'), z.null()]).optional(),
  /** Codes to add (already uploaded ones keep whether they were used). */
  codes: z.array(accessCodeSchema).max(2000).optional(),
  /** The organiser's public keys for enqueue tokens; null withdraws them (tokens are then refused). */
  enqueueJwks: z.union([enqueueJwksSchema, z.null()]).optional(),
});
export type SaleAccessChange = z.input<typeof saleAccessSchema>;

export const saleAccessAnswerSchema = z.object({
  presaleUntilMs: z.number().describe('ms; 0 = no presale; 9007199254740991 = invite-only'),
  codes: z.number().int().describe('codes uploaded'),
  codesUsed: z.number().int(),
  enqueueJwks: z.object({ keys: z.array(z.looseObject({ kty: z.string() })) }).nullable(),
});
export type SaleAccess = z.infer<typeof saleAccessAnswerSchema>;

export const INVITE_ONLY_MS = Number.MAX_SAFE_INTEGER;

export function accessCodeDigest(saleId: string, code: string): string {
  return createHash('sha256').update(`usher-access-code:v1:${saleId}:${code.trim().toUpperCase()}`).digest('hex');
}

/** Parses `input` again, so every caller stores the one form the edge reads (a single JWK as a JWKS). */
export async function applySaleAccess(redis: RedisClient, saleId: string, input: SaleAccessChange): Promise<SaleAccess> {
  const change = saleAccessSchema.parse(input);
  const k = queueKeys(saleId);
  const m = redis.multi();
  if (change.presaleUntil !== undefined) {
    const until = change.presaleUntil === null ? 0 : change.presaleUntil === 'always' ? INVITE_ONLY_MS : Date.parse(change.presaleUntil);
    m.hset(k.settings, 'presale_until_ms', String(until));
  }
  if (change.enqueueJwks === null) m.hdel(k.settings, 'enqueue_jwks');
  else if (change.enqueueJwks) m.hset(k.settings, 'enqueue_jwks', JSON.stringify('keys' in change.enqueueJwks ? change.enqueueJwks : { keys: [change.enqueueJwks] }));
  // '' = not used yet; HSETNX keeps the visitor a code was used by
  for (const code of change.codes ?? []) m.hsetnx(k.accessCodes, accessCodeDigest(saleId, code), '');
  await m.exec();
  await publishSaleEvent(redis, k.channel, JSON.stringify({ type: 'control', control: { action: 'access' } }));
  return readSaleAccess(redis, saleId);
}

export async function readSaleAccess(redis: RedisClient, saleId: string): Promise<SaleAccess> {
  const k = queueKeys(saleId);
  const [until, jwks] = await redis.hmget(k.settings, 'presale_until_ms', 'enqueue_jwks');
  const used = (await redis.hvals(k.accessCodes)).filter((v) => v !== '').length;
  return {
    presaleUntilMs: Number(until ?? 0),
    codes: await redis.hlen(k.accessCodes),
    codesUsed: used,
    enqueueJwks: jwks ? (JSON.parse(jwks) as SaleAccess['enqueueJwks']) : null,
  };
}
