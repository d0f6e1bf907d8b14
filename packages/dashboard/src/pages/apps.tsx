/** Apps list (name, state, dynos, last release) and "create app". */
import type { App, Dyno, Formation, Release } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { appPath, get, post } from '../api';
import { appState } from '../app-state';
import { Sparkline } from '../components/sparkline';
import { ago, Empty, ErrorText, Loading, useAction, useLoad } from '../components/ui';
import { loadP95 } from '../metrics-api';
import { appHref } from '../routes';

interface Row {
  app: App;
  state: string;
  dynos: string;
  release: string;
  /** p95 response time of the last hour, per minute; undefined without a metrics API. */
  p95?: (number | null)[];
}

async function loadRows(): Promise<Row[]> {
  const apps = await get<App[]>('/apps');
  return Promise.all(apps.map(async (app) => {
    const [formation, dynos, releases, p95] = await Promise.all([
      get<Formation[]>(appPath(app.name, '/formation')),
      get<Dyno[]>(appPath(app.name, '/dynos')),
      get<Release[]>(appPath(app.name, '/releases'), { Range: 'version ..; order=desc, max=1' }),
      loadP95(app.name).catch(() => undefined),
    ]);
    const up = dynos.filter((d) => d.state === 'up').length;
    const wanted = formation.reduce((n, f) => n + f.quantity, 0);
    const last = releases[0];
    return {
      app,
      state: appState(app, formation, dynos),
      dynos: `${up}/${wanted} up`,
      release: last ? `v${last.version} · ${ago(last.created_at)}` : 'no release',
      p95,
    };
  }));
}

export function AppsPage() {
  const rows = useLoad(loadRows, [], 5000);
  const { route } = useLocation();
  const [name, setName] = useState('');
  const create = useAction(async () => {
    const app = await post<App>('/apps', name.trim() === '' ? {} : { name: name.trim() });
    route(appHref(app.name));
  });
  return (
    <section>
      <h1>Apps</h1>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void create.run(); }} aria-label="Create app">
        <label for="new-app">New app name</label>
        <input id="new-app" value={name} placeholder="(leave empty for a generated name)" onInput={(e) => { setName(e.currentTarget.value); create.clear(); }} aria-describedby="create-error" />
        <button type="submit" disabled={create.pending}>Create app</button>
        <ErrorText error={create.error} id="create-error" />
      </form>
      {rows.loading && !rows.data && <Loading what="apps" />}
      <ErrorText error={rows.error} />
      {rows.data && rows.data.length === 0 && <Empty>No apps yet: create one above, or with <code>heroku create</code>.</Empty>}
      {rows.data && rows.data.length > 0 && (
        <table class="list">
          <thead><tr><th scope="col">App</th><th scope="col">State</th><th scope="col">Dynos</th><th scope="col">Last release</th><th scope="col">p95 (1 h)</th></tr></thead>
          <tbody>
            {rows.data.map((r) => (
              <tr key={r.app.id}>
                <td><a href={appHref(r.app.name)}>{r.app.name}</a></td>
                <td><span class={`state state-${r.state}`}>{r.state}</span></td>
                <td>{r.dynos}</td>
                <td>{r.release}</td>
                <td>{r.p95 ? <Sparkline values={r.p95} label={`${r.app.name} p95 response time over the last hour`} /> : <span class="muted">–</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
