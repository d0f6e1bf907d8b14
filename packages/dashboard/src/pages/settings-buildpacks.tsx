/** Buildpacks: the app's ordered list (`buildpack-installations`), add, remove; empty = detected. */
import type { App } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { appPath, get, put } from '../api';
import { ErrorText, useAction, useLoad } from '../components/ui';

interface Installation {
  ordinal: number;
  buildpack: { url: string; name: string };
}

export function Buildpacks({ app }: { app: App }) {
  const list = useLoad(() => get<Installation[]>(appPath(app.name, '/buildpack-installations')), [app.name]);
  const [url, setUrl] = useState('');
  const set = useAction(async (urls: string[]) => {
    await put(appPath(app.name, '/buildpack-installations'), { updates: urls.map((buildpack) => ({ buildpack })) });
    await list.reload();
  });
  const urls = (list.data ?? []).sort((a, b) => a.ordinal - b.ordinal).map((b) => b.buildpack.url);
  return (
    <section aria-labelledby="buildpacks-title">
      <h2 id="buildpacks-title">Buildpacks</h2>
      <ErrorText error={list.error} />
      {list.data && list.data.length === 0 && <p class="muted">None set: the buildpack is detected at each build.</p>}
      <ol class="plain">
        {list.data?.map((b) => (
          <li key={b.ordinal}><code>{b.buildpack.name}</code>
            <button type="button" class="danger small" onClick={() => void set.run(urls.filter((u) => u !== b.buildpack.url))} aria-label={`Remove buildpack ${b.buildpack.name}`}>Remove</button></li>
        ))}
      </ol>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); if (url.trim() !== '') void set.run([...urls, url.trim()]).then((ok) => ok && setUrl('')); }} aria-label="Add buildpack">
        <label for="buildpack">Buildpack</label>
        <input id="buildpack" value={url} placeholder="heroku/nodejs or a git URL" onInput={(e) => setUrl(e.currentTarget.value)} />
        <button type="submit" disabled={set.pending}>Add buildpack</button>
        <ErrorText error={set.error} />
      </form>
    </section>
  );
}
