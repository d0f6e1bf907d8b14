/** A p95 sparkline as a small inline SVG (no chart library on the apps list: it stays light). */
export function Sparkline({ values, label }: { values: (number | null)[]; label: string }) {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return <span class="muted small">no traffic</span>;
  const w = 96;
  const h = 24;
  const max = Math.max(...known, 1);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  const segments: string[] = [];
  let current = '';
  values.forEach((v, i) => {
    if (v === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${(i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`;
  });
  if (current) segments.push(current);
  const last = known[known.length - 1];
  return (
    <span class="spark">
      <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
        <path d={segments.join(' ')} fill="none" stroke="currentColor" stroke-width="1.5" />
      </svg>
      <span class="small">{Math.round(last)} ms</span>
    </span>
  );
}
