/** Unicode sparklines for terminal summaries: one block per value, scaled to the series' own range; gaps stay blank. */
const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly (number | null | undefined)[]): string {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (present.length === 0) return ' '.repeat(values.length);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  return values.map((v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return ' ';
    if (hi === lo) return BARS[v === 0 ? 0 : 3];
    return BARS[Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))];
  }).join('');
}
