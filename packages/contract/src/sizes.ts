/** Dyno sizes, named as Heroku's. Memory in MB; cpuShares relative to standard-1x = 1024. */
export interface DynoSize {
  name: string;
  /** How Heroku's CLI displays it, e.g. `Standard-1X`. */
  display: string;
  memoryMb: number;
  cpuShares: number;
  /** Max processes/threads inside one dyno. */
  pids: number;
}

export const DYNO_SIZES: readonly DynoSize[] = [
  { name: 'eco', display: 'Eco', memoryMb: 512, cpuShares: 512, pids: 256 },
  { name: 'basic', display: 'Basic', memoryMb: 512, cpuShares: 512, pids: 256 },
  { name: 'standard-1x', display: 'Standard-1X', memoryMb: 512, cpuShares: 1024, pids: 256 },
  { name: 'standard-2x', display: 'Standard-2X', memoryMb: 1024, cpuShares: 2048, pids: 512 },
  { name: 'performance-m', display: 'Performance-M', memoryMb: 2560, cpuShares: 4096, pids: 16384 },
  { name: 'performance-l', display: 'Performance-L', memoryMb: 14336, cpuShares: 8192, pids: 32768 },
];

export const DEFAULT_DYNO_SIZE = 'standard-1x';

/** Finds a size by name, case-insensitively (`Standard-1X`, `standard-1x`, `1X` all work). */
export function findDynoSize(name: string): DynoSize | undefined {
  const n = name.trim().toLowerCase();
  const alias: Record<string, string> = { '1x': 'standard-1x', '2x': 'standard-2x', 'free': 'eco', 'hobby': 'basic' };
  const key = alias[n] ?? n;
  return DYNO_SIZES.find((s) => s.name === key);
}
