/** Activity: builds (output streaming live while they run) and releases (rollback to an earlier one). */
import type { App, Build, Release } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { appPath, get, post } from '../api';
import { BuildOutput } from '../components/build-output';
import { ago, Empty, ErrorText, Loading, useAction, useLoad } from '../components/ui';

const POLL_MS = 2000;

function ReleaseRow({ app, r, onChanged }: { app: App; r: Release; onChanged: () => Promise<void> }) {
  const rollback = useAction(async () => {
    await post<Release>(appPath(app.name, '/releases'), { release: r.id });
    await onChanged();
  });
  return (
    <li class="release" data-version={r.version}>
      <span class="version">v{r.version}</span>
      <span class="desc">{r.description}</span>
      <span class="muted">{r.user.email} · {ago(r.created_at)}{r.current ? ' · current' : ''}{r.status !== 'succeeded' ? ` · ${r.status}` : ''}</span>
      {!r.current && r.eligible_for_rollback && r.status === 'succeeded' && (
        <button type="button" class="secondary small" onClick={() => void rollback.run()} disabled={rollback.pending}>Roll back to v{r.version}</button>
      )}
      <ErrorText error={rollback.error} />
    </li>
  );
}

export function ActivityTab({ app }: { app: App }) {
  const builds = useLoad(async () => (await get<Build[]>(appPath(app.name, '/builds'))).sort((a, b) => b.created_at.localeCompare(a.created_at)), [app.name], POLL_MS);
  const releases = useLoad(() => get<Release[]>(appPath(app.name, '/releases'), { Range: 'version ..; order=desc, max=25' }), [app.name], POLL_MS);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const running = builds.data?.find((b) => b.status === 'pending');
  const shown = open ?? running?.id;
  return (
    <div class="tab two-col">
      <div>
        <h2>Builds</h2>
        {builds.loading && !builds.data && <Loading what="builds" />}
        <ErrorText error={builds.error} />
        {builds.data && builds.data.length === 0 && <Empty>No builds yet: see the Deploy tab.</Empty>}
        <ul class="builds">
          {builds.data?.slice(0, 20).map((b) => (
            <li key={b.id} class="build" data-status={b.status}>
              <span class={`state state-${b.status}`}>{b.status}</span>
              <span>{b.source_blob.version ?? b.id.slice(0, 8)}</span>
              <span class="muted">{b.user.email} · {ago(b.created_at)}</span>
              <button type="button" class="secondary small" aria-expanded={shown === b.id} onClick={() => setOpen(shown === b.id ? '' : b.id)}>
                {shown === b.id ? 'Hide output' : 'View output'}
              </button>
              {shown === b.id && <BuildOutput url={b.output_stream_url} label={`Build ${b.id.slice(0, 8)}`} />}
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h2>Releases</h2>
        {releases.loading && !releases.data && <Loading what="releases" />}
        <ErrorText error={releases.error} />
        {releases.data && releases.data.length === 0 && <Empty>No releases yet.</Empty>}
        <ul class="releases">{releases.data?.map((r) => <ReleaseRow key={r.id} app={app} r={r} onChanged={releases.reload} />)}</ul>
      </div>
    </div>
  );
}
