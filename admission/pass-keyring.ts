/**
 * An edge's live pass signer: the keyset from Redis, re-read every PASS_KEYS_REFRESH_S, so a
 * rotation reaches every edge without a restart. Which key signs and which are published is
 * decided per call from the keys' activation and retirement times (pass-keyset.ts), so all edges
 * switch at the key's activation time, not when each happens to re-read. A failed re-read keeps
 * the last keyset (a Redis blip must not stop admissions); the next one catches up.
 */
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { RedisClient } from '../common/redis-connection.js';
import { keysetFromJwks, publicJwkOf, publishedKeysAt, signingKeyAt, type PassKeyset } from './pass-keyset.js';
import { ensurePassKeyset, readPassKeyset } from './pass-keyset-store.js';
import { PASS_ALG, UNKNOWN_KID_COOLDOWN_MS, generatePassJwks, signPass, type PassSigningKeys } from './admission-pass.js';

export interface PassKeyring extends PassSigningKeys {
  /** The keyset as last read. */
  keyset(): PassKeyset;
  /** Re-reads the keyset now (the timer does this every refresh period). */
  refresh(): Promise<void>;
}

export interface PassKeyringOptions {
  refreshMs: number;
  /** The keyset to store when Redis has none (PASS_SIGNING_JWKS, or a generated key outside production). */
  seed: () => Promise<PassKeyset>;
  log?: Logger;
  now?: () => number;
}

export async function startPassKeyring(redis: RedisClient, o: PassKeyringOptions): Promise<PassKeyring> {
  const now = o.now ?? Date.now;
  const { keyset: first, seeded } = await ensurePassKeyset(redis, o.seed);
  if (seeded) o.log?.info({ kids: first.keys.map((k) => k.kid) }, 'seeded the pass keyset in Redis');
  let current = first;
  // kid → imported private key; a kid's key never changes (a rotation adds a new kid)
  const imported = new Map<string, Promise<CryptoKey>>();

  function privateKey(kid: string, jwk: JWK): Promise<CryptoKey> {
    let key = imported.get(kid);
    if (!key) {
      key = importJWK(jwk, PASS_ALG) as Promise<CryptoKey>;
      key.catch(() => imported.delete(kid));
      imported.set(kid, key);
    }
    return key;
  }

  async function refresh(): Promise<void> {
    const next = await readPassKeyset(redis);
    if (!next) {
      // Redis lost the keyset (flushed, rebuilt): put ours back rather than sign with nothing shared.
      current = (await ensurePassKeyset(redis, async () => current)).keyset;
      o.log?.warn('the pass keyset was missing from Redis; restored it');
    } else if (next.version !== current.version) {
      o.log?.info({ version: next.version, kids: next.keys.map((k) => k.kid) }, 'pass keyset changed');
      current = next;
    }
    const live = new Set(current.keys.map((k) => k.kid));
    for (const kid of imported.keys()) if (!live.has(kid)) imported.delete(kid);
  }

  const timer = setInterval(() => {
    refresh().catch((err: unknown) => o.log?.warn({ err }, 'could not re-read the pass keyset; keeping the last one'));
  }, o.refreshMs);
  timer.unref();

  return {
    keyset: () => current,
    refresh,
    get publicJwks() {
      return { keys: publishedKeysAt(current, now()).map(publicJwkOf) };
    },
    async sign(claims) {
      const signer = signingKeyAt(current, now());
      if (!signer) throw new Error('no admission-pass key is active: check the keyset with `npm run pass-keys -- list`');
      return signPass(await privateKey(signer.kid, signer.jwk), signer.kid, claims);
    },
    close() {
      clearInterval(timer);
    },
  };
}

/** Margin on top of shopping window + offer TTL before a superseded key is retired (clock skew, late takes). */
export const RETENTION_MARGIN_S = 60;

/** How long a superseded key stays published by default: its last pass must expire first. */
export function defaultRetentionS(config: Pick<Config, 'pass' | 'edge'>): number {
  return config.pass.ttlS + config.edge.offerTtlS + RETENTION_MARGIN_S;
}

/**
 * This deployment's signer. An empty keyset in Redis is seeded from PASS_SIGNING_JWKS (first key
 * signs, the rest stay published as previous keys), or outside production from a generated key.
 */
export async function loadPassSigningKeys(config: Config, redis: RedisClient, log?: Logger): Promise<PassKeyring> {
  const retainMs = defaultRetentionS(config) * 1000;
  const keyring = await startPassKeyring(redis, {
    refreshMs: config.pass.keysRefreshS * 1000,
    log,
    seed: async () => {
      if (config.secrets.passSigningJwks) return keysetFromJwks(JSON.parse(config.secrets.passSigningJwks) as { keys: JWK[] }, Date.now(), retainMs);
      log?.warn({ secret: 'pass keyset' }, 'using a generated admission-pass key shared through Redis; set PASS_SIGNING_JWKS for production');
      return keysetFromJwks(await generatePassJwks(), Date.now(), retainMs);
    },
  });
  if (config.secrets.passSigningJwks) {
    const seededKids = (JSON.parse(config.secrets.passSigningJwks) as { keys?: JWK[] }).keys?.map((k) => k.kid) ?? [];
    const live = new Set(keyring.keyset().keys.map((k) => k.kid));
    if (!seededKids.some((kid) => kid !== undefined && live.has(kid))) {
      log?.info({ kids: [...live] }, 'the pass keyset in Redis was rotated since PASS_SIGNING_JWKS was set; Redis is authoritative');
    }
  }
  return keyring;
}

/**
 * How long after a rotation the new key starts signing by default: every edge has re-read the
 * keyset (two refresh periods: one read may fail) and publishes the key, and an API copy of the JWKS
 * fetched just before that is past its unknown-kid cooldown, plus a margin. Until then the new key
 * is only published, so no verifier ever meets a kid it cannot fetch.
 */
export function defaultActivationDelayS(config: Pick<Config, 'pass'>): number {
  return 2 * config.pass.keysRefreshS + Math.ceil(UNKNOWN_KID_COOLDOWN_MS / 1000) + 5;
}
