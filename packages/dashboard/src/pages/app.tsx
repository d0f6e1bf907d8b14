/** One app: its header and tabs (Resources, Activity, Logs, Deploy, Settings). */
import type { App } from '@slipway/contract';
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { appPath, get } from '../api';
import { ErrorText, Loading, useLoad } from '../components/ui';
import { appHref } from '../routes';
import { ActivityTab } from './app-activity';
import { DeployTab } from './app-deploy';
import { LogsTab } from './app-logs';
import { ResourcesTab } from './app-resources';
import { SettingsTab } from './app-settings';

const TABS = [
  ['resources', 'Resources'],
  ['metrics', 'Metrics'],
  ['activity', 'Activity'],
  ['logs', 'Logs'],
  ['deploy', 'Deploy'],
  ['settings', 'Settings'],
] as const;

/** The Metrics tab and its chart library load on demand, so the first page load stays small. */
function LazyMetrics({ app }: { app: App }) {
  const [Tab, setTab] = useState<FunctionComponent<{ app: App }> | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  useEffect(() => {
    import('./app-metrics').then((m) => setTab(() => m.MetricsTab), (err: Error) => setError(err));
  }, []);
  if (error) return <ErrorText error={error} />;
  return Tab ? <Tab app={app} /> : <Loading what="metrics" />;
}

export function AppPage() {
  const { params } = useRoute();
  const name = params.name;
  const tab = params.tab ?? 'resources';
  const app = useLoad(() => get<App>(appPath(name)), [name]);
  return (
    <section>
      <h1 class="app-title">{name}</h1>
      {app.data && (
        <p class="muted">
          <a href={app.data.web_url} rel="noreferrer">{app.data.web_url}</a>
          {app.data.maintenance && <span class="state state-maintenance">maintenance</span>}
        </p>
      )}
      <nav class="tabs" aria-label="App">
        {TABS.map(([id, label]) => (
          <a key={id} href={appHref(name, id)} aria-current={tab === id ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      {app.loading && !app.data && <Loading what="the app" />}
      <ErrorText error={app.error} />
      {app.data && tab === 'resources' && <ResourcesTab app={app.data} />}
      {app.data && tab === 'metrics' && <LazyMetrics app={app.data} />}
      {app.data && tab === 'activity' && <ActivityTab app={app.data} />}
      {app.data && tab === 'logs' && <LogsTab app={app.data} />}
      {app.data && tab === 'deploy' && <DeployTab app={app.data} />}
      {app.data && tab === 'settings' && <SettingsTab app={app.data} onChanged={app.reload} />}
    </section>
  );
}
