/**
 * Promo codes are not guessable by enumeration: every refusal is the same answer
 * (`promo_code_invalid`), and the codes one client address, and one admission pass, may try are
 * counted (PROMO_ATTEMPTS_PER_MIN; 429 with Retry-After past it). Only requests that carry a code
 * count. Fails open like every rate limit: Redis down must not stop checkouts.
 */
import type { Context } from 'hono';
import { fixedWindowCounter } from '../../common/fixed-window-counter.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { redisKeys } from '../../common/redis-keys.js';
import { enforceLimit } from '../api/rate-limit.js';

const WINDOW_S = 60;

export function promoAttempts(redis: RedisClient, perMinute: number) {
  const countHit = fixedWindowCounter(redis);
  return async function countPromoAttempt(c: Context, who: { ip: string; pass: string }): Promise<void> {
    const window = Math.floor(Date.now() / 1000 / WINDOW_S);
    const counts = await Promise.all([
      countHit(redisKeys.rateWindow('promo-ip', who.ip, window), (WINDOW_S + 1) * 1000),
      countHit(redisKeys.rateWindow('promo-pass', who.pass, window), (WINDOW_S + 1) * 1000),
    ]).catch(() => null);
    if (!counts) return;
    enforceLimit(c, 'promo codes', perMinute, WINDOW_S, Math.max(...counts));
  };
}
