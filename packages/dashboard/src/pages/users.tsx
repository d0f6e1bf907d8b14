/** Admin: the platform's users, and adding one (with a dashboard password, optionally). */
import type { Account } from '@slipway/contract';
import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { ago, ErrorText, Loading, useAction, useLoad } from '../components/ui';

export function UsersPage({ user }: { user: Account }) {
  const users = useLoad(() => get<Account[]>('/users'), []);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const [token, setToken] = useState<string | undefined>(undefined);
  const add = useAction(async () => {
    const body: Record<string, unknown> = { email, admin };
    if (password !== '') body.password = password;
    setToken((await post<{ token: string }>('/users', body)).token);
    setEmail('');
    setPassword('');
    await users.reload();
  });
  if (!user.admin) return <section><h1>Users</h1><p>Only admins can see users.</p></section>;
  return (
    <section>
      <h1>Users</h1>
      {users.loading && !users.data && <Loading what="users" />}
      <ErrorText error={users.error} />
      <table class="list">
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Created</th></tr></thead>
        <tbody>{users.data?.map((u) => <tr key={u.id}><td>{u.email}</td><td>{u.admin ? 'admin' : 'user'}</td><td>{ago(u.created_at)}</td></tr>)}</tbody>
      </table>
      <h2>Add a user</h2>
      <form class="stack" onSubmit={(e) => { e.preventDefault(); void add.run(); }} aria-label="Add user">
        <label for="user-email">Email</label>
        <input id="user-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="user-password">Dashboard password (optional, at least 8 characters)</label>
        <input id="user-password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <label class="check"><input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} /> Admin</label>
        <button type="submit" disabled={add.pending}>Add user</button>
        <ErrorText error={add.error} />
      </form>
      {token && <div class="notice" role="status"><p>The new user's API token (shown once):</p><pre class="token" tabIndex={0}>{token}</pre></div>}
    </section>
  );
}
