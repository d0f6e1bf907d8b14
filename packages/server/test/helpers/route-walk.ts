/**
 * Walking the API's route table with hostile input (issue 19): traversal ids for each parameter,
 * a fixture of one app with a bit of everything, and a snapshot of the state requests could change.
 */
import assert from 'node:assert/strict';
import { rawRequest, type RawResponse } from './raw-http.js';

/** Ids a client could send that a URL parser turns into a walk up the path (`B`: another app). */
export function traversalIds(other: string): string[] {
  return ['..', '.', '%2e%2e', '.%2E', '%2E', '%2e.', `../../${other}`, `..%2F..%2F${other}`, `..\\..\\${other}`, `..%5c${other}`];
}

/** `pattern` with every `:param` replaced by `fill(param)`. */
export function fillPath(pattern: string, fill: (param: string) => string): string {
  return pattern.split('/').map((s) => (s.startsWith(':') ? fill(s.slice(1)) : s)).join('/');
}

/** The paths to try for one route pattern: each id in each parameter, each tail appended, a trailing slash (not GET). */
export function traversalPaths(pattern: string, method: string, fill: (param: string) => string, ids: string[], other: string, tails = ['/..', '/.', '/%2e%2e', '/..%2F', `/../${other}`, `/../..${fillPath(pattern, fill)}`]): string[] {
  const segs = pattern.split('/');
  const real = fillPath(pattern, fill);
  const out = new Set<string>();
  segs.forEach((s, i) => {
    if (!s.startsWith(':')) return;
    for (const id of ids) out.add(segs.map((t, j) => (j === i ? id : t.startsWith(':') ? fill(t.slice(1)) : t)).join('/'));
  });
  for (const tail of tails) out.add(real + tail);
  if (method !== 'GET' && method !== 'HEAD') out.add(`${real}/`);
  return [...out];
}

export type Call = (method: string, path: string, body?: unknown) => Promise<RawResponse>;

export function caller(base: string, token: string): Call {
  return (method, path, body) => rawRequest(base, method, path, { token, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
}

/** One app with a domain, a collaborator, a config var and a drain, and a second app; the values to fill routes with. */
export async function seedApps(call: Call, a: string, b: string): Promise<(param: string) => string> {
  const domain = `www.${a}.example.com`;
  const collaborator = `collab-${a}@example.com`;
  for (const name of [a, b]) assert.equal((await call('POST', '/apps', { name })).status, 201);
  assert.equal((await call('POST', '/users', { email: collaborator })).status, 201);
  assert.equal((await call('POST', `/apps/${a}/collaborators`, { user: collaborator })).status, 201);
  assert.equal((await call('POST', `/apps/${a}/domains`, { hostname: domain, sni_endpoint: null })).status, 201);
  assert.equal((await call('PATCH', `/apps/${a}/config-vars`, { KEEP: 'me' })).status, 200);
  const drain = await call('POST', `/apps/${a}/log-drains`, { url: 'syslog+tls://127.0.0.1:9/' });
  assert.equal(drain.status, 201, drain.text);
  const values: Record<string, string> = { app: a, domain, collaborator, drain: drain.json.id, type: 'web', dyno: 'web.1', release: '1' };
  return (param) => values[param] ?? 'x';
}

/** Everything about the apps that a request could change, as one string. */
export async function snapshot(call: Call, apps: string[]): Promise<string> {
  const out: unknown[] = [(await call('GET', '/apps')).json.map((x: { name: string }) => x.name).sort()];
  out.push((await call('GET', '/users')).json?.map?.((u: { email: string }) => u.email).sort());
  const subs = ['', '/domains', '/collaborators', '/config-vars', '/log-drains', '/releases', '/formation', '/dynos', '/builds', '/buildpack-installations'];
  const each = await Promise.all(apps.flatMap((app) => subs.map(async (sub) => {
    const r = await call('GET', `/apps/${app}${sub}`);
    return [app, sub, r.status, r.json];
  })));
  return JSON.stringify([...out, ...each]);
}
