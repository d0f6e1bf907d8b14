/**
 * Failed sign-ins per email: a bucket of MAX_FAILURES that refills over REFILL_MS. While it is
 * empty, sign-in for that email is refused before any password is checked (429), so guessing is
 * slow and each guess cannot cost the platform a scrypt run. A success empties nothing and resets
 * the email's bucket. In memory: a restart forgets, which only helps the user who was locked out.
 */
export const MAX_FAILURES = 10;
export const REFILL_MS = 15 * 60 * 1000;
/** Buckets kept at most; the least recently failed email is forgotten first. */
const MAX_KEYS = 10_000;

export interface SignInThrottle {
  /** True when another attempt for this email may be checked now. */
  allowed(email: string): boolean;
  failed(email: string): void;
  succeeded(email: string): void;
}

export function createSignInThrottle(opts: { now?: () => number } = {}): SignInThrottle {
  const now = opts.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const key = (email: string) => email.trim().toLowerCase();
  const level = (k: string): number => {
    const b = buckets.get(k);
    if (!b) return MAX_FAILURES;
    const t = now();
    b.tokens = Math.min(MAX_FAILURES, b.tokens + ((t - b.at) * MAX_FAILURES) / REFILL_MS);
    b.at = t;
    if (b.tokens >= MAX_FAILURES) buckets.delete(k);
    return b.tokens;
  };
  return {
    allowed: (email) => level(key(email)) >= 1,
    failed(email) {
      const k = key(email);
      const tokens = level(k) - 1;
      buckets.delete(k);
      buckets.set(k, { tokens, at: now() });
      if (buckets.size > MAX_KEYS) buckets.delete(buckets.keys().next().value!);
    },
    succeeded: (email) => void buckets.delete(key(email)),
  };
}
