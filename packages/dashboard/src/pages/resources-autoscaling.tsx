/**
 * Resources → Autoscaling: one form per process type over the monitors API (docs/autoscaling.md):
 * the current policy said in words, enable/disable, min/max dynos, the p95 target, an optional
 * queue-time target, and for min 0 (scale to zero) the idle time. The first save creates the type's
 * scale monitor (`POST …/formation/{type}/monitors`), later ones patch it. The API's 422 is shown
 * beside the field it names (e.g. min above max), else beside the Save button.
 */
import type { App, Formation, Monitor } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { appPath, patch, post } from '../api';
import { ErrorText, useAction } from '../components/ui';


const FIELDS = ['min_quantity', 'max_quantity', 'value', 'queue_time_ms', 'idle_ms'] as const;
type Field = (typeof FIELDS)[number];

/** `on: min 1, max 10, p95 500 ms, queue 50 ms` — the policy as the CLI says it. */
export function describeMonitor(m: Monitor | undefined): string {
  if (!m) return 'Off: no policy yet.';
  const target = m.name === 'METRIC_SCALE' && m.metric ? `${m.metric} ${m.value} per dyno` : `p95 ${m.value} ms`;
  const extra = [
    m.queue_time_ms !== null ? `queue ${m.queue_time_ms} ms` : '',
    m.idle_ms !== null && m.min_quantity === 0 ? `scale to zero after ${Math.round(m.idle_ms / 1000)} s idle` : '',
  ].filter((s) => s !== '');
  return `${m.is_active ? 'On' : 'Off'}: min ${m.min_quantity}, max ${m.max_quantity}, ${[target, ...extra].join(', ')}.`;
}

/**
 * Which field an API error is about, if any: the one it asks to be given (`… give idle_ms, …`), else
 * the first one its message mentions (`min_quantity (5) must not be above max_quantity (2).`).
 */
export function fieldOf(message: string): Field | undefined {
  const asked = /\bgive (\w+)/.exec(message)?.[1];
  if (asked && (FIELDS as readonly string[]).includes(asked)) return asked as Field;
  let best: { field: Field; at: number } | undefined;
  for (const field of FIELDS) {
    const at = message.indexOf(field);
    if (at >= 0 && (!best || at < best.at)) best = { field, at };
  }
  return best?.field;
}

/** A whole number from a text box, `null` when empty and allowed, NaN otherwise (sent as is: the API says what is wrong). */
const num = (s: string, empty: number | null = NaN): number | null => (s.trim() === '' ? empty : Number(s));

function AutoscaleForm({ app, f, monitor, onChanged }: { app: App; f: Formation; monitor: Monitor | undefined; onChanged: () => Promise<void> }) {
  const [active, setActive] = useState(monitor?.is_active ?? false);
  const [min, setMin] = useState(String(monitor?.min_quantity ?? Math.max(1, f.quantity)));
  const [max, setMax] = useState(String(monitor?.max_quantity ?? Math.max(2, f.quantity)));
  const [p95, setP95] = useState(String(monitor?.value ?? 1000));
  const [queue, setQueue] = useState(monitor?.queue_time_ms != null ? String(monitor.queue_time_ms) : '');
  const [idle, setIdle] = useState(monitor?.idle_ms != null ? String(Math.round(monitor.idle_ms / 1000)) : '');
  const save = useAction(async () => {
    const idleS = num(idle, null);
    const body = {
      is_active: active,
      min_quantity: num(min),
      max_quantity: num(max),
      value: num(p95),
      queue_time_ms: num(queue, null),
      ...(num(min) === 0 || monitor?.idle_ms != null ? { idle_ms: idleS === null ? null : idleS * 1000 } : {}),
    };
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'number' && !Number.isInteger(v)) throw new Error(`${k} must be a whole number.`);
    }
    const base = appPath(app.name, `/formation/${encodeURIComponent(f.type)}/monitors`);
    if (monitor) await patch<Monitor>(`${base}/${encodeURIComponent(monitor.id)}`, body);
    else await post<Monitor>(base, body);
    await onChanged();
  });
  const id = `autoscale-${f.type}`;
  const failed = save.error ? fieldOf(save.error.message) : undefined;
  const errorFor = (field: Field | undefined) => (save.error && failed === field ? <ErrorText error={save.error} /> : null);
  const input = (field: Field, label: string, value: string, set: (v: string) => void, hint?: string) => (
    <div class="field">
      <label for={`${id}-${field}`}>{label}</label>
      <input id={`${id}-${field}`} type="number" min={0} class="qty" value={value} onInput={(e) => set(e.currentTarget.value)}
        aria-describedby={`${id}-${field}-error`} aria-invalid={failed === field && save.error ? 'true' : undefined} />
      {hint && <span class="small muted">{hint}</span>}
      <div id={`${id}-${field}-error`}>{errorFor(field)}</div>
    </div>
  );
  return (
    <form class="autoscale" data-type={f.type} aria-labelledby={`${id}-title`} onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
      <h3 id={`${id}-title`}><span class="ptype">{f.type}</span></h3>
      <p class="policy" data-testid={`${id}-policy`}>{describeMonitor(monitor)}</p>
      <label class="check"><input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} /> Autoscale {f.type}</label>
      <div class="fields">
        {input('min_quantity', 'Min dynos', min, setMin, '0 scales to zero')}
        {input('max_quantity', 'Max dynos', max, setMax)}
        {input('value', 'p95 target (ms)', p95, setP95)}
        {input('queue_time_ms', 'Queue time target (ms)', queue, setQueue, 'optional')}
        {(num(min) === 0 || idle !== '') && input('idle_ms', 'Idle before zero (s)', idle, setIdle)}
      </div>
      <button type="submit" disabled={save.pending}>Save autoscaling for {f.type}</button>
      <div id={`${id}-error`}>{errorFor(undefined)}</div>
    </form>
  );
}

export function AutoscalingSection({ app, formation, monitors, onChanged }: { app: App; formation: Formation[]; monitors: Monitor[]; onChanged: () => Promise<void> }) {
  return (
    <section aria-labelledby="autoscaling-title">
      <h2 id="autoscaling-title">Autoscaling</h2>
      <p class="muted small">Within [min, max], dynos are added when the p95 response time or the router queue time exceeds its target, and removed slowly when the load falls. While autoscaling is on, manual scaling outside the bounds is refused.</p>
      <div class="autoscale-forms">
        {formation.map((f) => {
          const monitor = monitors.find((m) => m.process_type === f.type && m.action_type === 'scale');
          return <AutoscaleForm key={`${f.type}:${monitor?.updated_at ?? ''}:${monitor?.id ?? ''}`} app={app} f={f} monitor={monitor} onChanged={onChanged} />;
        })}
      </div>
    </section>
  );
}
