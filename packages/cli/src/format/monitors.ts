import type { Monitor } from '@slipway/contract';

export type { Monitor };

/** `web: on, min 1, max 10, p95 500 ms, queue 50 ms` */
export function describeMonitor(m: Monitor): string {
  const target = m.name === 'METRIC_SCALE' && m.metric ? `${m.metric} ${m.value} per dyno` : `p95 ${m.value} ms`;
  const extra = [
    m.queue_time_ms !== null ? `queue ${m.queue_time_ms} ms` : '',
    m.idle_ms !== null && m.min_quantity === 0 ? `idle ${Math.round(m.idle_ms / 1000)} s` : '',
    m.strategy !== 'slipway' ? `strategy ${m.strategy}` : '',
  ].filter((s) => s !== '');
  return `${m.process_type}: ${m.is_active ? 'on' : 'off'}, min ${m.min_quantity}, max ${m.max_quantity}, ${[target, ...extra].join(', ')}`;
}
