/**
 * Heroku's API rate limit: a bucket of `limit` request tokens per account, refilled evenly over an
 * hour (4,500 → 75 a minute). Each call takes one; an empty bucket is a 429 `rate_limit` whose
 * `Retry-After` says when the next token comes.
 * `limit` 0 disables it.
 */
import { SlipwayError } from '../errors.js';

export interface RateLimiter {
  /** Takes a token for the user; returns what is left, or throws rate_limit. */
  take(userId: string): number;
}

const REFILL_PERIOD_MS = 60 * 60 * 1000;

export function createRateLimiter(opts: { limit: number; now?: () => number }): RateLimiter {
  const now = opts.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(userId) {
      if (opts.limit <= 0) return Number.POSITIVE_INFINITY;
      const t = now();
      const b = buckets.get(userId) ?? { tokens: opts.limit, at: t };
      b.tokens = Math.min(opts.limit, b.tokens + ((t - b.at) * opts.limit) / REFILL_PERIOD_MS);
      b.at = t;
      buckets.set(userId, b);
      if (b.tokens < 1) {
        // When the next token is minted: the 429's Retry-After.
        const retryAfterSeconds = Math.max(1, Math.ceil(((1 - b.tokens) * REFILL_PERIOD_MS) / opts.limit / 1000));
        throw new SlipwayError('rate_limit', 'Your account reached the API rate limit. Please wait a few minutes before making new requests.', { retryAfterSeconds });
      }
      b.tokens -= 1;
      return Math.floor(b.tokens);
    },
  };
}
