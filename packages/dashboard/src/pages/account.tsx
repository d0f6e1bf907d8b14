/** Account: who you are, your API tokens (regenerate: the new one is shown once), your password. */
import type { Account } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { get, post, put } from '../api';
import { ago, Empty, ErrorText, Loading, useAction, useLoad } from '../components/ui';

interface TokenInfo {
  id: string;
  description: string;
  created_at: string;
  last_used_at: string | null;
}

export function AccountPage({ user }: { user: Account }) {
  const tokens = useLoad(() => get<TokenInfo[]>('/account/tokens'), []);
  const [fresh, setFresh] = useState<string | undefined>(undefined);
  const regenerate = useAction(async () => {
    setFresh((await post<{ token: string }>('/account/tokens')).token);
    await tokens.reload();
  });
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [changed, setChanged] = useState(false);
  const password = useAction(async () => {
    setChanged(false);
    await put('/users/~/password', current === '' ? { password: next } : { password: next, current_password: current });
    setCurrent('');
    setNext('');
    setChanged(true);
  });
  return (
    <section>
      <h1>Account</h1>
      <p>Signed in as <strong>{user.email}</strong>{user.admin ? ' (admin)' : ''}.</p>
      <h2>API token</h2>
      <p class="muted">For the CLIs and git: <code>HEROKU_API_KEY=…</code>, <code>slipway login --token …</code>, or git's password. Tokens are stored hashed, so an existing one cannot be shown again: regenerating replaces all of yours with a new one, shown once.</p>
      {tokens.loading && !tokens.data && <Loading what="tokens" />}
      <ErrorText error={tokens.error} />
      {tokens.data && tokens.data.length === 0 && <Empty>You have no API token.</Empty>}
      <ul class="plain">
        {tokens.data?.map((t) => <li key={t.id}>{t.description} <span class="muted">created {ago(t.created_at)}, last used {ago(t.last_used_at)}</span></li>)}
      </ul>
      <button type="button" onClick={() => void regenerate.run()} disabled={regenerate.pending}>Regenerate API token</button>
      <ErrorText error={regenerate.error} />
      {fresh && (
        <div class="notice" role="status">
          <p>Your new API token (copy it now, it will not be shown again):</p>
          <pre class="token" tabIndex={0} data-testid="new-token">{fresh}</pre>
        </div>
      )}
      <h2>Password</h2>
      <form class="stack" onSubmit={(e) => { e.preventDefault(); void password.run(); }} aria-label="Change password">
        <label for="current-password">Current password</label>
        <input id="current-password" type="password" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
        <label for="new-password">New password (at least 8 characters)</label>
        <input id="new-password" type="password" autocomplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} />
        <button type="submit" disabled={password.pending}>Change password</button>
        <ErrorText error={password.error} />
        {changed && <p role="status">Password changed.</p>}
      </form>
    </section>
  );
}
