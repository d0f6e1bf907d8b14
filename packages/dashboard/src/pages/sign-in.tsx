/** Email + password sign-in (`POST /session`); the error is shown beside the form's button. */
import type { Account } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { post } from '../api';
import { ErrorText, useAction } from '../components/ui';

export function SignInPage({ onSignedIn }: { onSignedIn: (s: { user: Account; csrf_token: string }) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useAction(async () => onSignedIn(await post<{ user: Account; csrf_token: string }>('/session', { email, password })));
  return (
    <main class="center" id="main">
      <form class="card sign-in" onSubmit={(e) => { e.preventDefault(); void submit.run(); }} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Slipway</h1>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <button type="submit" disabled={submit.pending}>{submit.pending ? 'Signing in…' : 'Sign in'}</button>
        <ErrorText error={submit.error} id="sign-in-error" />
        <p class="muted small">No password yet? An admin sets one with <code>slipway users:password EMAIL</code>.</p>
      </form>
    </main>
  );
}
