/**
 * Memory quota verdicts (heroku-contract.md B2.4): over the size's quota is R14 (logged, the dyno
 * keeps running and swaps); over the hard limit (2× the quota for Common Runtime sizes) is R15 and
 * the dyno is killed. The runc driver enforces R15 with its cgroup; for drivers without a memory
 * limit, the manager kills the dyno itself.
 */
import type { DynoSize } from '@slipway/contract';

const MB = 1024 * 1024;

export type MemoryVerdict = 'ok' | 'R14' | 'R15';

export function memoryVerdict(bytes: number, size: DynoSize): MemoryVerdict {
  const quota = size.memoryMb * MB;
  if (bytes > hardLimitBytes(size)) return 'R15';
  if (bytes > quota) return 'R14';
  return 'ok';
}

export function hardLimitBytes(size: DynoSize): number {
  return size.memoryMb * MB * 2;
}

/** Heroku's `Process running mem=1028M(100.4%)` line. */
export function memoryLine(bytes: number, size: DynoSize): string {
  const mb = Math.round(bytes / MB);
  const pct = ((bytes / (size.memoryMb * MB)) * 100).toFixed(1);
  return `Process running mem=${mb}M(${pct}%)`;
}

/** The exit status Heroku prints: the code, or 128 + the signal number. */
export function exitStatus(exit: { code: number | null; signal: string | null }, signals: Record<string, number>): number {
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? signals[exit.signal] : undefined;
  return n ? 128 + n : 1;
}
