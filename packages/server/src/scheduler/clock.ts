/**
 * The scheduler's clock: wall time, or (tests, demos) time that runs `scale` times faster from the
 * moment it is made, so "every 10 minutes" comes every 10 s at scale 60 without real minutes of
 * waiting. Schedules and stored run times are in this clock's time.
 */
export function scaledClock(scale: number, real: () => number = Date.now): () => Date {
  if (scale === 1) return () => new Date(real());
  const origin = real();
  return () => new Date(origin + (real() - origin) * scale);
}
