/**
 * Resources: the formation per process type (quantity and size apply at once through
 * `PATCH /apps/:app/formation/:type`) and the dynos, polled every second so state changes show live;
 * restart per dyno, per process type, or all; autoscaling per process type (resources-autoscaling.tsx).
 */
import { DYNO_SIZES, findDynoSize, type App, type Dyno, type Formation, type Monitor } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { appPath, del, get, patch } from '../api';
import { ago, Empty, ErrorText, Loading, useAction, useLoad } from '../components/ui';
import { AutoscalingSection } from './resources-autoscaling';

const POLL_MS = 1000;

function FormationRow({ app, f, onChanged }: { app: App; f: Formation; onChanged: () => Promise<void> }) {
  const [quantity, setQuantity] = useState(String(f.quantity));
  const apply = useAction(async (body: { quantity?: number; size?: string }) => {
    if (body.quantity !== undefined && !Number.isInteger(body.quantity)) throw new Error('Quantity must be a whole number.');
    await patch<Formation>(appPath(app.name, `/formation/${encodeURIComponent(f.type)}`), body);
    await onChanged();
  });
  const restart = useAction(async () => del(appPath(app.name, `/formations/${encodeURIComponent(f.type)}`)));
  const id = `formation-${f.type}`;
  const submitQuantity = () => {
    const n = Number(quantity);
    if (quantity.trim() === '' || !Number.isInteger(n)) return void apply.run({ quantity: NaN });
    if (n !== f.quantity) void apply.run({ quantity: n });
  };
  return (
    <tr>
      <th scope="row"><span class="ptype">{f.type}</span> <code class="command">{f.command}</code></th>
      <td>
        <form class="inline tight" onSubmit={(e) => e.preventDefault()}>
          <label class="sr-only" for={`${id}-quantity`}>{f.type} quantity</label>
          <input id={`${id}-quantity`} type="number" min={0} max={100} class="qty" value={quantity}
            onInput={(e) => setQuantity(e.currentTarget.value)} onChange={submitQuantity} aria-describedby={`${id}-error`} />
          <span class="sr-only">Press Enter to apply.</span>
        </form>
      </td>
      <td>
        <label class="sr-only" for={`${id}-size`}>{f.type} size</label>
        <select id={`${id}-size`} value={findDynoSize(f.size)?.name ?? f.size} onChange={(e) => void apply.run({ size: e.currentTarget.value })}>
          {DYNO_SIZES.map((s) => <option key={s.name} value={s.name}>{s.display}</option>)}
          {!findDynoSize(f.size) && <option value={f.size}>{f.size}</option>}
        </select>
      </td>
      <td>
        <button type="button" class="secondary" onClick={() => void restart.run()} disabled={restart.pending}>Restart {f.type}</button>
        <div id={`${id}-error`}><ErrorText error={apply.error ?? restart.error} /></div>
      </td>
    </tr>
  );
}

function DynoRow({ app, d }: { app: App; d: Dyno }) {
  const restart = useAction(async () => del(appPath(app.name, `/dynos/${encodeURIComponent(d.name)}`)));
  return (
    <li class="dyno" data-dyno={d.name} data-state={d.state}>
      <span class="dyno-name">{d.name}</span>
      <span class={`state state-${d.state}`}>{d.state}</span>
      <span class="muted">{d.size} · since {ago(d.updated_at)}</span>
      <button type="button" class="secondary small" onClick={() => void restart.run()} disabled={restart.pending} aria-label={`Restart ${d.name}`}>Restart</button>
      <ErrorText error={restart.error} />
    </li>
  );
}

export function ResourcesTab({ app }: { app: App }) {
  const formation = useLoad(() => get<Formation[]>(appPath(app.name, '/formation')), [app.name]);
  const monitors = useLoad(() => get<Monitor[]>(appPath(app.name, '/monitors')), [app.name]);
  const dynos = useLoad(() => get<Dyno[]>(appPath(app.name, '/dynos')), [app.name], POLL_MS);
  const restartAll = useAction(async () => del(appPath(app.name, '/dynos')));
  const sorted = (dynos.data ?? []).filter((d) => d.type !== 'run').sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const oneOffs = (dynos.data ?? []).filter((d) => d.type === 'run');
  return (
    <div class="tab">
      <h2>Formation</h2>
      {formation.loading && !formation.data && <Loading what="the formation" />}
      <ErrorText error={formation.error} />
      {formation.data && formation.data.length === 0 && <Empty>No process types yet: deploy code with a Procfile or a web process.</Empty>}
      {formation.data && formation.data.length > 0 && (
        <table class="list formation">
          <thead><tr><th scope="col">Process type</th><th scope="col">Dynos</th><th scope="col">Size</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{formation.data.map((f) => <FormationRow key={`${f.type}:${f.quantity}:${f.size}`} app={app} f={f} onChanged={formation.reload} />)}</tbody>
        </table>
      )}
      <div class="row-between">
        <h2>Dynos</h2>
        <span>
          <button type="button" class="secondary" onClick={() => void restartAll.run()} disabled={restartAll.pending}>Restart all dynos</button>
          <ErrorText error={restartAll.error} />
        </span>
      </div>
      <ErrorText error={dynos.error} />
      {dynos.loading && !dynos.data && <Loading what="dynos" />}
      {dynos.data && sorted.length + oneOffs.length === 0 && <Empty>No dynos running.</Empty>}
      <ul class="dynos" aria-live="polite">
        {[...sorted, ...oneOffs].map((d) => <DynoRow key={d.name} app={app} d={d} />)}
      </ul>
      <ErrorText error={monitors.error} />
      {formation.data && formation.data.length > 0 && monitors.data && (
        <AutoscalingSection app={app} formation={formation.data} monitors={monitors.data} onChanged={monitors.reload} />
      )}
    </div>
  );
}
