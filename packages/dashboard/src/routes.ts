/** The dashboard's client-side routes (all under /dashboard/, which the platform answers with the page). */
export const BASE = '/dashboard';
export const routes = {
  apps: `${BASE}/apps`,
  app: `${BASE}/apps/:name/:tab?`,
  account: `${BASE}/account`,
  users: `${BASE}/users`,
};
export const appHref = (name: string, tab = 'resources') => `${BASE}/apps/${encodeURIComponent(name)}/${tab}`;
