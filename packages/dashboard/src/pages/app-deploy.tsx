/**
 * Deploy: how to push with git, and a source tarball upload through the same API the CLIs use:
 * `POST /sources` → `PUT put_url` → `POST /apps/:app/builds {source_blob}`, then the build's
 * output streams here live.
 */
import type { App, Build } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { ApiError, appPath, post, sameOrigin } from '../api';
import { BuildOutput } from '../components/build-output';
import { ErrorText, useAction } from '../components/ui';

interface Source {
  source_blob: { get_url: string; put_url: string };
}

export function DeployTab({ app }: { app: App }) {
  const [file, setFile] = useState<File | undefined>(undefined);
  const [build, setBuild] = useState<Build | undefined>(undefined);
  const upload = useAction(async () => {
    if (!file) throw new Error('Choose a .tar.gz or .tgz file of your app\'s source first.');
    setBuild(undefined);
    const source = await post<Source>('/sources');
    const res = await fetch(sameOrigin(source.source_blob.put_url), { method: 'PUT', body: file, credentials: 'same-origin' });
    if (!res.ok) throw new ApiError(res.status, 'upload_failed', (await res.text()).trim() || `Upload failed (${res.status}).`);
    setBuild(await post<Build>(appPath(app.name, '/builds'), { source_blob: { url: source.source_blob.get_url, version: file.name } }));
  });
  return (
    <div class="tab">
      <h2>Deploy with git</h2>
      <p>Add the remote once, then push; the build output streams back to <code>git push</code> and to the Activity tab.</p>
      <pre class="commands" tabIndex={0}>{`git remote add heroku ${app.git_url}\ngit push heroku main`}</pre>
      <p class="muted small">git asks for a password: use your API token (Account page). With the heroku CLI: <code>heroku git:remote -a {app.name}</code>.</p>
      <h2>Deploy a source tarball</h2>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void upload.run(); }} aria-label="Upload source">
        <label for="tarball">Source tarball (.tar.gz)</label>
        <input id="tarball" type="file" accept=".tgz,.tar.gz,application/gzip" onChange={(e) => { setFile(e.currentTarget.files?.[0]); upload.clear(); }} aria-describedby="upload-error" />
        <button type="submit" disabled={upload.pending}>{upload.pending ? 'Uploading…' : 'Upload and build'}</button>
        <ErrorText error={upload.error} id="upload-error" />
      </form>
      {build && <BuildOutput url={build.output_stream_url} label={`Build ${build.id.slice(0, 8)}`} />}
    </div>
  );
}
