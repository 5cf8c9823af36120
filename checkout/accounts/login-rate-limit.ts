/**
 * Failed-login limiter in Redis, shared by every API process. Fixed windows counting failures
 *   - per client address, across accounts: one address spraying passwords over many e-mails;
 *   - per (address, e-mail): one address guessing one account. This is the lock-out, and it only
 *     locks out that address: an attacker elsewhere cannot lock the owner out;
 *   - per e-mail, across addresses: guessing spread over many addresses. Its ceiling is high (with
 *     the per-(address, e-mail) limit, reaching it takes perEmail / perAddressAndEmail addresses),
 *     and it never applies to an address the account logged in from before, so even an attacker
 *     with that many addresses cannot keep the owner out of the devices they use.
 * Checked before the password is verified, so a blocked guesser learns nothing.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../../common/redis-connection.js';
import { redisKeys } from '../../common/redis-keys.js';

export interface LoginLimits {
  /** failures from one address, whatever the e-mail */
  perAddress: number;
  /** failures from one address on one account */
  perAddressAndEmail: number;
  /** failures on one account from addresses it never logged in from */
  perEmail: number;
  windowS: number;
  /** how long a successful login keeps its address exempt from the per-e-mail ceiling */
  knownAddressS: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAddress: 20, perAddressAndEmail: 5, perEmail: 200, windowS: 900, knownAddressS: 30 * 86_400 };

export interface LoginRateLimiter {
  /** Seconds until the next attempt is allowed, or 0. */
  blockedFor(email: string, ip: string): Promise<number>;
  recordFailure(email: string, ip: string): Promise<void>;
  recordSuccess(email: string, ip: string): Promise<void>;
}

export function createLoginRateLimiter(redis: RedisClient, limits: LoginLimits = DEFAULT_LOGIN_LIMITS, prefix = redisKeys.loginFailuresRoot): LoginRateLimiter {
  const { perAddress, perAddressAndEmail, perEmail, windowS, knownAddressS } = limits;
  if (!(perAddressAndEmail > 0 && perAddress >= perAddressAndEmail && perEmail >= perAddressAndEmail && windowS > 0 && knownAddressS > 0)) {
    throw new Error('invalid login limits');
  }
  const digest = (s: string): string => createHash('sha256').update(s.toLowerCase()).digest('base64url').slice(0, 22);
  // Single-key commands only (each key may be in its own slot), so this works on Redis Cluster too.
  const keys = (email: string, ip: string) => {
    const account = `{${digest(email)}}`;
    const address = digest(ip);
    return {
      address: `${prefix}:addr:{${address}}`,
      pair: `${prefix}:${account}:${address}`,
      account: `${prefix}:${account}`,
      known: `${prefix}:known:${account}:${address}`,
    };
  };
  const waitS = async (key: string): Promise<number> => Math.ceil(Math.max(await redis.pttl(key), 1000) / 1000);
  const count = async (key: string): Promise<number> => Number((await redis.get(key)) ?? 0);
  return {
    async blockedFor(email, ip) {
      const k = keys(email, ip);
      const [address, pair, account, known] = await Promise.all([count(k.address), count(k.pair), count(k.account), redis.exists(k.known)]);
      const over = [
        address >= perAddress ? k.address : undefined,
        pair >= perAddressAndEmail ? k.pair : undefined,
        account >= perEmail && known !== 1 ? k.account : undefined,
      ].filter((key): key is string => key !== undefined);
      return Math.max(0, ...(await Promise.all(over.map(waitS))));
    },
    async recordFailure(email, ip) {
      const k = keys(email, ip);
      // The window starts at the first failure (EXPIRE NX leaves a running window alone).
      await Promise.all([k.address, k.pair, k.account].map((key) => redis.multi().incr(key).expire(key, windowS, 'NX').exec()));
    },
    async recordSuccess(email, ip) {
      const k = keys(email, ip);
      // Only this address's count on this account resets: a sprayer logging in to an account of
      // its own must not clear its address's count, nor a guesser the account's.
      await Promise.all([redis.del(k.pair), redis.set(k.known, '1', 'EX', knownAddressS)]);
    },
  };
}
