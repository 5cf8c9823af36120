/**
 * How often one account may be sent a verification e-mail, counted in Redis across API
 * processes: at least `cooldownS` apart, and at most `perWindow` within `windowS` (the mail at
 * registration counts). Someone who registered a stranger's address can therefore not use Usher
 * to flood that mailbox, and a fan who lost the first mail can still ask again a minute later.
 */
import type { RedisClient } from '../../common/redis-connection.js';
import { redisKeys } from '../../common/redis-keys.js';

export interface VerificationMailLimits {
  cooldownS: number;
  perWindow: number;
  windowS: number;
}

export const DEFAULT_VERIFICATION_MAIL_LIMITS: VerificationMailLimits = { cooldownS: 60, perWindow: 5, windowS: 86_400 };

export interface VerificationMailLimiter {
  /** Takes one send for the account: 0 when allowed, else the seconds until the next one is. */
  take(userId: string): Promise<number>;
}

export function createVerificationMailLimiter(
  redis: RedisClient,
  limits: VerificationMailLimits = DEFAULT_VERIFICATION_MAIL_LIMITS,
  prefix = redisKeys.verificationMailRoot,
): VerificationMailLimiter {
  if (!(limits.cooldownS > 0 && limits.perWindow > 0 && limits.windowS >= limits.cooldownS)) throw new Error('invalid verification mail limits');
  const secondsLeft = async (key: string, fallbackS: number): Promise<number> => {
    const ms = await redis.pttl(key);
    return Math.max(1, Math.ceil((ms > 0 ? ms : fallbackS * 1000) / 1000));
  };
  // Single-key commands only, so this works on Redis Cluster too.
  return {
    async take(userId) {
      const cooldown = `${prefix}:{${userId}}:cooldown`;
      const count = `${prefix}:{${userId}}:count`;
      if ((await redis.set(cooldown, '1', 'EX', limits.cooldownS, 'NX')) === null) return secondsLeft(cooldown, limits.cooldownS);
      // The window starts at the first send; SET NX EX gives the counter its expiry before INCR.
      await redis.set(count, '0', 'EX', limits.windowS, 'NX');
      const n = await redis.incr(count);
      if (n === 1 && (await redis.ttl(count)) < 0) await redis.expire(count, limits.windowS); // expired between SET and INCR
      if (n <= limits.perWindow) return 0;
      // Refused for the window: the cooldown lasts as long, so the next answer names the same wait.
      const waitS = await secondsLeft(count, limits.windowS);
      await redis.expire(cooldown, waitS);
      return waitS;
    },
  };
}
