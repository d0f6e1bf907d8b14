/**
 * Disk quota verdicts: a dyno's writable `/app` layer and `/tmp` share one size-limited
 * filesystem (the runc driver's per-dyno tmpfs); writes past it fail with ENOSPC inside the dyno.
 * Heroku has no error code for a full dyno disk, so Slipway logs its own, in Heroku's runtime
 * series and wording: `Error R18 (Disk quota exceeded)`, beside a `Process running disk=…` line
 * like R14's `mem=` one. The limit is `SLIPWAY_DYNO_DISK_MB`, or half the size's memory quota (the
 * tmpfs counts in the dyno's memory, so the limit stays well under the 2× hard memory limit).
 */
import type { DynoSize } from '@slipway/contract';

const MB = 1024 * 1024;

/** What a full disk is: less than this share of the limit left (the last write came up short). */
export const DISK_FULL_FREE_RATIO = 0.01;
/** One R18 per dyno per this many ms while it stays full (as R14 is repeated). */
export const DISK_R18_REPEAT_MS = 20_000;

/** The disk limit of a dyno of this size: the configured MB, else half the memory quota. */
export function dynoDiskBytes(size: DynoSize, configuredMb: number): number {
  return (configuredMb > 0 ? configuredMb : Math.max(16, Math.floor(size.memoryMb / 2))) * MB;
}

export function diskFull(usedBytes: number, limitBytes: number): boolean {
  return limitBytes > 0 && limitBytes - usedBytes <= limitBytes * DISK_FULL_FREE_RATIO;
}

/** `Process running disk=256M(100.0%)`. */
export function diskLine(usedBytes: number, limitBytes: number): string {
  return `Process running disk=${Math.round(usedBytes / MB)}M(${((usedBytes / limitBytes) * 100).toFixed(1)}%)`;
}
