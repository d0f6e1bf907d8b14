/** The dashboard's entry: who is signed in, then the pages (client-side routes under /dashboard/). */
import './styles.css';
import { createContext, render } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router } from 'preact-iso';
import type { Account } from '@slipway/contract';
import { ApiError, get, setCsrfToken } from './api';
import { Shell } from './components/shell';
import { Loading } from './components/ui';
import { AccountPage } from './pages/account';
import { AppPage } from './pages/app';
import { AppsPage } from './pages/apps';
import { NotFoundPage } from './pages/not-found';
import { SignInPage } from './pages/sign-in';
import { UsersPage } from './pages/users';
import { routes } from './routes';

/** The signed-in account, for the pages that show it (stable route components: no remounts). */
const UserContext = createContext<Account | null>(null);
const AccountRoute = () => <AccountPage user={useContext(UserContext)!} />;
const UsersRoute = () => <UsersPage user={useContext(UserContext)!} />;

interface SessionBody {
  user: Account;
  csrf_token: string;
}

function Dashboard() {
  const [user, setUser] = useState<Account | null | undefined>(undefined);
  const [error, setError] = useState<string>('');
  useEffect(() => {
    get<SessionBody>('/session').then(
      (s) => { setCsrfToken(s.csrf_token); setUser(s.user); },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setUser(null);
        else setError((err as Error).message);
      },
    );
  }, []);
  const signedIn = (s: SessionBody) => { setCsrfToken(s.csrf_token); setUser(s.user); };
  if (error) return <main class="center"><p class="error" role="alert">{error}</p></main>;
  if (user === undefined) return <main class="center"><Loading what="the dashboard" /></main>;
  if (user === null) return <SignInPage onSignedIn={signedIn} />;
  return (
    <UserContext.Provider value={user}>
      <Shell user={user} onSignedOut={() => { setCsrfToken(''); setUser(null); }}>
        <Router>
          <Route path="/" component={AppsPage} />
          <Route path={routes.apps} component={AppsPage} />
          <Route path={routes.app} component={AppPage} />
          <Route path={routes.account} component={AccountRoute} />
          <Route path={routes.users} component={UsersRoute} />
          <Route default component={NotFoundPage} />
        </Router>
      </Shell>
    </UserContext.Provider>
  );
}

render(<LocationProvider scope="/dashboard"><Dashboard /></LocationProvider>, document.getElementById('root')!);
