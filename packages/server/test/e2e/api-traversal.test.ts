/**
 * Issue 19, finding 1: an id of `..` must never reach another route. Before the fix
 * `DELETE /apps/A/domains/..` answered 200 and destroyed A (dot-segments were resolved before
 * routing, and DELETE /apps/:app also matched `/apps/A/`). The whole platform runs in this process
 * (every room's routes); every route of its table is sent traversal ids (raw, percent-encoded,
 * `../../B`, backslashes) in each parameter, dot-segments appended, and a trailing slash on the
 * destructive ones, with the path sent byte for byte; each answer must be a 4xx and nothing may change.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessPlatform, type InProcessPlatform } from '../helpers/in-process-platform.js';
import { rawRequest } from '../helpers/raw-http.js';

const A = 'trav-a';
const B = 'trav-b';
const DOMAIN = 'www.trav-a.example.com';
const COLLABORATOR = 'collab@example.com';
/** Ids a client could send that a URL parser turns into a walk up the path. */
export const TRAVERSAL_IDS = ['..', '.', '%2e%2e', '.%2E', '%2E', '%2e.', `../../${B}`, `..%2F..%2F${B}`, `..\\..\\${B}`, `..%5c${B}`];

let p: InProcessPlatform;
let drainId = '';

const call = (method: string, path: string, body?: unknown) => rawRequest(p.url, method, path, { token: p.token, body: body === undefined ? undefined : JSON.stringify(body) });

async function snapshot(): Promise<string> {
  const out: unknown[] = [(await call('GET', '/apps')).json.map((a: { name: string }) => a.name).sort()];
  for (const app of [A, B]) {
    for (const sub of ['', '/domains', '/collaborators', '/config-vars', '/log-drains', '/releases', '/formation', '/dynos', '/builds']) {
      const r = await call('GET', `/apps/${app}${sub}`);
      out.push([sub, r.status, r.json]);
    }
  }
  return JSON.stringify(out);
}

/** A real value for each parameter name of the route table. */
function realValue(param: string): string {
  switch (param) {
    case 'app': return A;
    case 'domain': return DOMAIN;
    case 'collaborator': return COLLABORATOR;
    case 'drain': return drainId;
    case 'type': return 'web';
    case 'dyno': return 'web.1';
    case 'release': return '1';
    default: return 'x';
  }
}

/** The paths to try for one route pattern. */
export function traversalPaths(pattern: string, method: string, fill: (param: string) => string): string[] {
  const segs = pattern.split('/');
  const real = segs.map((s) => (s.startsWith(':') ? fill(s.slice(1)) : s)).join('/');
  const out = new Set<string>();
  segs.forEach((s, i) => {
    if (!s.startsWith(':')) return;
    for (const id of TRAVERSAL_IDS) out.add(segs.map((t, j) => (j === i ? id : t.startsWith(':') ? fill(t.slice(1)) : t)).join('/'));
  });
  for (const tail of ['/..', '/.', '/%2e%2e', '/..%2F', `/../${B}`]) out.add(real + tail);
  out.add(`${real}/../..${real}`);
  if (method !== 'GET' && method !== 'HEAD') out.add(`${real}/`);
  return [...out];
}

before(async () => {
  p = await startInProcessPlatform();
  for (const name of [A, B]) assert.equal((await call('POST', '/apps', { name })).status, 201);
  assert.equal((await call('POST', '/users', { email: COLLABORATOR })).status, 201);
  assert.equal((await call('POST', `/apps/${A}/collaborators`, { user: COLLABORATOR })).status, 201);
  assert.equal((await call('POST', `/apps/${A}/domains`, { hostname: DOMAIN, sni_endpoint: null })).status, 201);
  assert.equal((await call('PATCH', `/apps/${A}/config-vars`, { KEEP: 'me' })).status, 200);
  const drain = await call('POST', `/apps/${A}/log-drains`, { url: 'syslog+tls://127.0.0.1:9/' });
  assert.equal(drain.status, 201, drain.text);
  drainId = drain.json.id;
});
after(async () => { await p?.stop(); });

test('the route table is the full platform: every room contributes routes', () => {
  const paths = new Set(p.routes.map((r) => `${r.method} ${r.path}`));
  for (const r of ['DELETE /apps/:app', 'DELETE /apps/:app/domains/:domain', 'DELETE /apps/:app/dynos/:dyno', 'DELETE /apps/:app/log-drains/:drain', 'POST /apps/:app/builds']) {
    assert.ok(paths.has(r), `missing ${r}`);
  }
});

test('the issue\'s reproductions: DELETE of a domain, dyno, collaborator, drain or formation `..` deletes nothing', async () => {
  for (const path of [
    `/apps/${A}/domains/..`, `/apps/${A}/domains/%2e%2e`, `/apps/${A}/domains/.%2E`, `/apps/${A}/dynos/..`, `/apps/${A}/collaborators/..`,
    `/apps/${A}/log-drains/..`, `/apps/${A}/formations/..`, `/apps/${A}/domains/../../${B}`, `/apps/${A}/`,
  ]) {
    const before = await snapshot();
    const r = await call('DELETE', path);
    assert.ok(r.status >= 400 && r.status < 500, `DELETE ${path} answered ${r.status} ${r.text}`);
    assert.equal(r.json?.id !== undefined, true, `DELETE ${path}: a Heroku-style error body`);
    assert.equal(await snapshot(), before, `DELETE ${path} changed state`);
  }
});

test('every route, traversal ids in every parameter: a 4xx and no state change', async () => {
  const before = await snapshot();
  let sent = 0;
  for (const route of p.routes) {
    for (const path of traversalPaths(route.path, route.method, realValue)) {
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const r = await call(route.method, path, body);
      sent++;
      assert.ok(r.status >= 400 && r.status < 500, `${route.method} ${path} (route ${route.path}) answered ${r.status} ${r.text.slice(0, 200)}`);
    }
    assert.equal(await snapshot(), before, `a traversal request to ${route.method} ${route.path} changed state`);
  }
  assert.ok(sent > p.routes.length * 5, `only ${sent} requests sent`);
});
