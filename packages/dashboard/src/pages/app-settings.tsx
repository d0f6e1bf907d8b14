/** Settings: config vars, buildpacks, domains, collaborators, maintenance, rename, delete (typed confirmation). */
import type { App, Collaborator, Domain } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { appPath, del, get, patch, post } from '../api';
import { Empty, ErrorText, useAction, useLoad } from '../components/ui';
import { appHref, routes } from '../routes';
import { Buildpacks } from './settings-buildpacks';
import { ConfigVars } from './settings-config-vars';

function Domains({ app }: { app: App }) {
  const domains = useLoad(() => get<Domain[]>(appPath(app.name, '/domains')), [app.name]);
  const [hostname, setHostname] = useState('');
  const add = useAction(async () => { await post(appPath(app.name, '/domains'), { hostname: hostname.trim() }); setHostname(''); await domains.reload(); });
  const remove = useAction(async (h: string) => { await del(appPath(app.name, `/domains/${encodeURIComponent(h)}`)); await domains.reload(); });
  return (
    <section aria-labelledby="domains-title">
      <h2 id="domains-title">Domains</h2>
      <ErrorText error={domains.error} />
      <ul class="plain">
        {domains.data?.map((d) => (
          <li key={d.id}><code>{d.hostname}</code> <span class="muted">{d.kind}</span>
            {d.kind === 'custom' && <button type="button" class="danger small" onClick={() => void remove.run(d.hostname)} aria-label={`Remove ${d.hostname}`}>Remove</button>}</li>
        ))}
      </ul>
      <ErrorText error={remove.error} />
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void add.run(); }} aria-label="Add domain">
        <label for="domain">Custom domain</label>
        <input id="domain" value={hostname} placeholder="www.example.com" onInput={(e) => setHostname(e.currentTarget.value)} />
        <button type="submit" disabled={add.pending}>Add domain</button>
        <ErrorText error={add.error} />
      </form>
    </section>
  );
}

function Collaborators({ app }: { app: App }) {
  const list = useLoad(() => get<Collaborator[]>(appPath(app.name, '/collaborators')), [app.name]);
  const [email, setEmail] = useState('');
  const add = useAction(async () => { await post(appPath(app.name, '/collaborators'), { user: email.trim() }); setEmail(''); await list.reload(); });
  const remove = useAction(async (e: string) => { await del(appPath(app.name, `/collaborators/${encodeURIComponent(e)}`)); await list.reload(); });
  return (
    <section aria-labelledby="collab-title">
      <h2 id="collab-title">Collaborators</h2>
      <ErrorText error={list.error} />
      {list.data && list.data.length === 0 && <Empty>Only the owner has access.</Empty>}
      <ul class="plain">
        {list.data?.map((c) => (
          <li key={c.id}>{c.user.email} <span class="muted">{c.role}</span>
            {c.role !== 'owner' && <button type="button" class="danger small" onClick={() => void remove.run(c.user.email)} aria-label={`Remove ${c.user.email}`}>Remove</button>}</li>
        ))}
      </ul>
      <ErrorText error={remove.error} />
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void add.run(); }} aria-label="Add collaborator">
        <label for="collab">Email</label>
        <input id="collab" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <button type="submit" disabled={add.pending}>Add collaborator</button>
        <ErrorText error={add.error} />
      </form>
    </section>
  );
}

export function SettingsTab({ app, onChanged }: { app: App; onChanged: () => Promise<void> }) {
  const { route } = useLocation();
  const [name, setName] = useState(app.name);
  const [confirm, setConfirm] = useState('');
  const maintenance = useAction(async () => { await patch(appPath(app.name), { maintenance: !app.maintenance }); await onChanged(); });
  const rename = useAction(async () => { const next = await patch<App>(appPath(app.name), { name: name.trim() }); route(appHref(next.name, 'settings')); });
  const destroy = useAction(async () => {
    if (confirm !== app.name) throw new Error(`Type ${app.name} to confirm.`);
    await del(appPath(app.name));
    route(routes.apps);
  });
  return (
    <div class="tab settings">
      <ConfigVars app={app} />
      <Buildpacks app={app} />
      <Domains app={app} />
      <Collaborators app={app} />
      <section aria-labelledby="maint-title">
        <h2 id="maint-title">Maintenance mode</h2>
        <p>{app.maintenance ? 'On: the router answers every request with H80 and the maintenance page.' : 'Off: requests reach the web dynos.'}</p>
        <button type="button" class="secondary" onClick={() => void maintenance.run()} disabled={maintenance.pending}>{app.maintenance ? 'Turn maintenance off' : 'Turn maintenance on'}</button>
        <ErrorText error={maintenance.error} />
      </section>
      <section aria-labelledby="rename-title">
        <h2 id="rename-title">Rename app</h2>
        <form class="inline" onSubmit={(e) => { e.preventDefault(); void rename.run(); }}>
          <label for="rename">New name</label>
          <input id="rename" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="secondary" disabled={rename.pending}>Rename</button>
          <ErrorText error={rename.error} />
        </form>
      </section>
      <section aria-labelledby="delete-title" class="danger-zone">
        <h2 id="delete-title">Delete app</h2>
        <p>This deletes the app, its releases, config and dynos. It cannot be undone.</p>
        <form class="inline" onSubmit={(e) => { e.preventDefault(); void destroy.run(); }}>
          <label for="confirm-delete">Type <code>{app.name}</code> to confirm</label>
          <input id="confirm-delete" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} autocomplete="off" />
          <button type="submit" class="danger" disabled={destroy.pending || confirm !== app.name}>Delete app</button>
          <ErrorText error={destroy.error} />
        </form>
      </section>
    </div>
  );
}
