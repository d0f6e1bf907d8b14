/**
 * Per-app token bucket (pure): `rate` lines per second, bursts of up to `burst` lines. Lines over the
 * limit are dropped and counted; the logplex reports them with one L12 line when tokens return.
 */
export interface Bucket {
  tokens: number;
  /** ms timestamp of the last refill. */
  at: number;
  dropped: number;
  /** ms timestamp of the first drop since the last report. */
  droppedSince: number | null;
}

export function newBucket(burst: number, now: number): Bucket {
  return { tokens: burst, at: now, dropped: 0, droppedSince: null };
}

function refill(b: Bucket, rate: number, burst: number, now: number): void {
  if (now > b.at) {
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) * rate) / 1000);
    b.at = now;
  }
}

/** Takes one token; false (and counts a drop) when the app is over its limit. */
export function take(b: Bucket, rate: number, burst: number, now: number): boolean {
  refill(b, rate, burst, now);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (b.dropped === 0) b.droppedSince = now;
  b.dropped++;
  return false;
}

/** When drops are pending and a token is free again: the report to emit (and resets the count). */
export function takeDropReport(b: Bucket, rate: number, burst: number, now: number): { dropped: number; since: number } | undefined {
  if (b.dropped === 0) return undefined;
  refill(b, rate, burst, now);
  if (b.tokens < 1) return undefined;
  const report = { dropped: b.dropped, since: b.droppedSince ?? now };
  b.dropped = 0;
  b.droppedSince = null;
  return report;
}
