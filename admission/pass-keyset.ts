/**
 * The admission-pass keyset: every ES256 key an edge may sign with or must still publish, each with
 * the time it starts signing and the time it stops being published. Pure functions over one JSON
 * document (stored by pass-keyset-store.ts); every edge evaluates them against its own clock, so a
 * rotation takes effect on all edges at the same moment without any of them being told.
 *
 * A key's life: **pending** (published, not yet signing: the JWKS every verifier fetches already
 * has it when the first pass signed by it arrives) → **signing** (the newest key whose activation
 * has passed) → **previous** (superseded, still published so the passes it signed keep verifying
 * until they expire) → **retired** (no longer published; pruned at the next change).
 */
import { z } from 'zod';
import type { JWK } from 'jose';

const privateEcJwk = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1),
});

export const passKeySchema = z.object({
  kid: z.string().min(1).max(128),
  /** private EC P-256 JWK */
  jwk: privateEcJwk,
  createdAtMs: z.number().int(),
  /** signs from this time on (unless a key activating later has also passed its activation) */
  activatesAtMs: z.number().int(),
  /** published until this time; null while it is the newest key */
  retiresAtMs: z.number().int().nullable(),
});
export type PassKey = z.infer<typeof passKeySchema>;

export const passKeysetSchema = z.object({
  /** bumped on every change; writes are compare-and-set on it */
  version: z.number().int().nonnegative(),
  keys: z.array(passKeySchema),
});
export type PassKeyset = z.infer<typeof passKeysetSchema>;

export type PassKeyState = 'pending' | 'signing' | 'previous' | 'retired';

const published = (k: PassKey, nowMs: number): boolean => k.retiresAtMs === null || nowMs < k.retiresAtMs;

/** The key that signs at `nowMs`: the latest activation that has passed, among published keys. */
export function signingKeyAt(set: PassKeyset, nowMs: number): PassKey | undefined {
  let best: PassKey | undefined;
  for (const k of set.keys) {
    if (!published(k, nowMs) || k.activatesAtMs > nowMs) continue;
    if (!best || k.activatesAtMs > best.activatesAtMs || (k.activatesAtMs === best.activatesAtMs && k.kid > best.kid)) best = k;
  }
  return best;
}

/** Every key a verifier must accept at `nowMs` (pending, signing and previous keys). */
export function publishedKeysAt(set: PassKeyset, nowMs: number): PassKey[] {
  return set.keys.filter((k) => published(k, nowMs));
}

export function keyStateAt(set: PassKeyset, key: PassKey, nowMs: number): PassKeyState {
  if (!published(key, nowMs)) return 'retired';
  if (key.activatesAtMs > nowMs) return 'pending';
  return signingKeyAt(set, nowMs)?.kid === key.kid ? 'signing' : 'previous';
}

/** The public half of a private JWK, as the JWKS serves it. */
export function publicJwkOf(key: PassKey): JWK {
  const { d: _d, ...pub } = key.jwk;
  return { ...pub, kid: key.kid, alg: 'ES256', use: 'sig' };
}

export class PassKeysetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassKeysetError';
  }
}

/**
 * The keyset a legacy PASS_SIGNING_JWKS describes: its first key signs from now, the others were
 * the previous keys (still published for `retainMs`, then retired).
 */
export function keysetFromJwks(jwks: { keys: JWK[] }, nowMs: number, retainMs: number): PassKeyset {
  if (jwks.keys.length === 0) throw new PassKeysetError('a pass JWKS needs at least one key');
  const keys = jwks.keys.map((jwk, i): PassKey => {
    const parsed = privateEcJwk.safeParse(jwk);
    if (!parsed.success || !jwk.kid) throw new PassKeysetError('pass keys must be private EC P-256 JWKs, each with a kid');
    const { kid, alg: _alg, use: _use, ...rest } = parsed.data as typeof parsed.data & { kid: string; alg?: string; use?: string };
    return i === 0
      ? { kid, jwk: rest, createdAtMs: nowMs, activatesAtMs: nowMs, retiresAtMs: null }
      : { kid, jwk: rest, createdAtMs: nowMs, activatesAtMs: 0, retiresAtMs: nowMs + retainMs };
  });
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new PassKeysetError('two pass keys share a kid');
  return { version: 1, keys };
}

export interface RotationPlan {
  /** the new key (private JWK, kid), e.g. from generatePassJwks() */
  key: { kid: string; jwk: PassKey['jwk'] };
  nowMs: number;
  /** publish now, sign from nowMs + activateInMs: every verifier can fetch it before it is needed */
  activateInMs: number;
  /** keep the superseded keys published this long after the new key activates */
  retainMs: number;
}

/**
 * Adds a key that signs from `nowMs + activateInMs`; every key still current (no retirement yet)
 * becomes previous and is retired `retainMs` after that activation — the last pass it signs expires
 * before then when retainMs ≥ shopping window + offer TTL. Already retired keys are pruned.
 */
export function rotateKeyset(set: PassKeyset, plan: RotationPlan): PassKeyset {
  if (set.keys.some((k) => k.kid === plan.key.kid)) throw new PassKeysetError(`a pass key with kid ${plan.key.kid} already exists`);
  if (plan.activateInMs < 0 || plan.retainMs < 0) throw new PassKeysetError('activation delay and retention must not be negative');
  const activatesAtMs = plan.nowMs + plan.activateInMs;
  const retiresAtMs = activatesAtMs + plan.retainMs;
  const kept = set.keys
    .filter((k) => published(k, plan.nowMs))
    .map((k) => (k.retiresAtMs === null ? { ...k, retiresAtMs } : k));
  return {
    version: set.version + 1,
    keys: [...kept, { kid: plan.key.kid, jwk: plan.key.jwk, createdAtMs: plan.nowMs, activatesAtMs, retiresAtMs: null }],
  };
}

/**
 * Stops publishing `kid` now (a compromised or unwanted key): passes it signed stop verifying once
 * verifiers refetch the JWKS. The key signing now cannot be retired: rotate first.
 */
export function retireKey(set: PassKeyset, kid: string, nowMs: number): PassKeyset {
  const key = set.keys.find((k) => k.kid === kid);
  if (!key) throw new PassKeysetError(`no pass key with kid ${kid}`);
  if (signingKeyAt(set, nowMs)?.kid === kid) {
    throw new PassKeysetError(`${kid} is signing passes now: rotate to a new key first (--activate-in-s 0 in an emergency), then retire it`);
  }
  const isNewest = key.retiresAtMs === null;
  const keys = set.keys
    .filter((k) => published(k, nowMs))
    .map((k) => (k.kid === kid ? { ...k, retiresAtMs: nowMs } : { ...k }));
  // Retiring a pending key hands "newest" back to the key signing now, which then stays published.
  if (isNewest) {
    const signer = signingKeyAt({ version: set.version, keys }, nowMs);
    if (signer) signer.retiresAtMs = null;
  }
  return { version: set.version + 1, keys };
}
