/** The frame around every signed-in page: the skip link, the header with navigation, sign-out. */
import type { ComponentChildren } from 'preact';
import type { Account } from '@slipway/contract';
import { del } from '../api';
import { routes } from '../routes';
import { ErrorText, useAction } from './ui';

export function Shell({ user, onSignedOut, children }: { user: Account; onSignedOut: () => void; children: ComponentChildren }) {
  const signOut = useAction(async () => {
    await del('/session');
    onSignedOut();
  });
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href={routes.apps}>Slipway</a>
        <nav aria-label="Main">
          <a href={routes.apps}>Apps</a>
          {user.admin && <a href={routes.users}>Users</a>}
          <a href={routes.account}>Account</a>
        </nav>
        <span class="who">{user.email}</span>
        <button type="button" class="link" onClick={() => void signOut.run()} disabled={signOut.pending}>Sign out</button>
        <ErrorText error={signOut.error} />
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
