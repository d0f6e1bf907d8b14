/**
 * A uPlot time-series chart (canvas) with the app's events marked as dashed vertical lines, inside
 * a <figure> whose caption and text summary say what the canvas shows.
 */
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';

export interface ChartSeries {
  label: string;
  stroke: string;
  values: (number | null)[];
}

export function Chart({ id, title, unit, times, series, events, summary, dots = false }: {
  id: string;
  title: string;
  unit: string;
  /** Unix seconds. */
  times: number[];
  series: ChartSeries[];
  /** Unix seconds of events (deploys, restarts, scale, crashes). */
  events: number[];
  summary: string;
  /** Draw each point too (latencies: an interval between two empty ones is a dot, not nothing). */
  dots?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const marks = (u: uPlot) => {
      const { ctx, bbox } = u;
      ctx.save();
      ctx.strokeStyle = '#8a5300';
      ctx.setLineDash([4, 4]);
      ctx.lineWidth = 1;
      for (const t of events) {
        const x = Math.round(u.valToPos(t, 'x', true));
        if (x < bbox.left || x > bbox.left + bbox.width) continue;
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
      }
      ctx.restore();
    };
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 200,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 1.5, spanGaps: false, ...(dots ? { points: { show: true, size: 4, fill: s.stroke } } : {}) }))],
      axes: [{}, { label: unit, size: 60 }],
      scales: { x: { time: true } },
      hooks: { draw: [marks] },
      legend: { live: true },
    };
    const plot = new uPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 200 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, events, unit, dots]);
  return (
    <figure class="chart" aria-labelledby={`${id}-title`} data-chart={id}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <div ref={box} class="chart-canvas" aria-hidden="true" />
      <p class="small muted" data-testid={`${id}-summary`}>{summary}</p>
    </figure>
  );
}
