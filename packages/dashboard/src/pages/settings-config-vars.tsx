/** Config vars: hidden until revealed; add, edit (each a new release), delete. */
import type { App } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { appPath, get, patch } from '../api';
import { Empty, ErrorText, Loading, useAction, useLoad } from '../components/ui';

export function ConfigVars({ app }: { app: App }) {
  const [revealed, setRevealed] = useState(false);
  const vars = useLoad(() => get<Record<string, string>>(appPath(app.name, '/config-vars')), [app.name]);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const save = useAction(async (k: string, v: string | null) => {
    if (v !== null && k.trim() === '') throw new Error('A config var needs a key.');
    await patch(appPath(app.name, '/config-vars'), { [k.trim()]: v });
    await vars.reload();
    setKey('');
    setValue('');
    setEditing(undefined);
  });
  const entries = Object.entries(vars.data ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="config-vars-title">
      <div class="row-between">
        <h2 id="config-vars-title">Config vars</h2>
        <button type="button" class="secondary" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>{revealed ? 'Hide config vars' : 'Reveal config vars'}</button>
      </div>
      {vars.loading && !vars.data && <Loading what="config vars" />}
      <ErrorText error={vars.error} />
      {vars.data && entries.length === 0 && <Empty>No config vars.</Empty>}
      {!revealed && entries.length > 0 && <p class="muted">{entries.length} config var{entries.length === 1 ? '' : 's'} hidden.</p>}
      {revealed && entries.length > 0 && (
        <table class="list config-vars">
          <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k} data-key={k}>
                <th scope="row"><code>{k}</code></th>
                <td class="value">{editing === k
                  ? <><label class="sr-only" for={`edit-${k}`}>Value of {k}</label><input id={`edit-${k}`} value={value} onInput={(e) => setValue(e.currentTarget.value)} /></>
                  : <code>{v}</code>}</td>
                <td class="actions">
                  {editing === k
                    ? <><button type="button" onClick={() => void save.run(k, value)}>Save</button> <button type="button" class="secondary" onClick={() => setEditing(undefined)}>Cancel</button></>
                    : <><button type="button" class="secondary small" onClick={() => { setEditing(k); setValue(v); }} aria-label={`Edit ${k}`}>Edit</button> <button type="button" class="danger small" onClick={() => void save.run(k, null)} aria-label={`Delete ${k}`}>Delete</button></>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void save.run(key, value); }} aria-label="Add config var">
        <label for="cv-key">Key</label>
        <input id="cv-key" value={key} onInput={(e) => setKey(e.currentTarget.value)} autocomplete="off" />
        <label for="cv-value">Value</label>
        <input id="cv-value" value={value} onInput={(e) => setValue(e.currentTarget.value)} autocomplete="off" />
        <button type="submit" disabled={save.pending}>Add</button>
      </form>
      <ErrorText error={save.error} />
    </section>
  );
}
