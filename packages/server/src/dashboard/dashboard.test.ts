import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { silentLogger } from '../log/index.js';
import { CONTENT_SECURITY_POLICY, createDashboard, isDashboardRequest } from './index.js';

const HEROKU = 'application/vnd.heroku+json; version=3';

test('the dashboard takes GET/HEAD of / and /dashboard/…, never API calls or other paths', () => {
  for (const url of ['/', '/?x=1', '/dashboard', '/dashboard/', '/dashboard/apps/foo/logs', '/dashboard/assets/index-abc.js']) {
    assert.equal(isDashboardRequest('GET', url, 'text/html'), true, url);
    assert.equal(isDashboardRequest('HEAD', url, undefined), true, url);
  }
  for (const url of ['/apps', '/apps/foo', '/account', '/session', '/foo.git/info/refs', '/dashboardx', '/log-stream/1']) {
    assert.equal(isDashboardRequest('GET', url, 'text/html'), false, url);
  }
  assert.equal(isDashboardRequest('GET', '/', HEROKU), false, 'the heroku CLI gets the API');
  assert.equal(isDashboardRequest('POST', '/', 'text/html'), false);
  assert.equal(isDashboardRequest('DELETE', '/dashboard/x', undefined), false);
});

let dir: string;
let server: http.Server;
let base: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-dash-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Slipway</title><script type="module" src="/dashboard/assets/index-abc.js"></script>');
  await writeFile(path.join(dir, 'assets', 'index-abc.js'), 'console.log("dashboard");'.repeat(50));
  const dashboard = createDashboard({ dir, logger: silentLogger });
  server = http.createServer((req, res) => {
    void dashboard.handle(req, res).then((taken) => { if (!taken) res.writeHead(418).end('api'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    // `path` as given: no client-side normalisation of `..` or `%2e%2e`.
    http.get({ hostname, port, path: p, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('pages come with the CSP (no inline script) and are not cached; client routes get the page', async () => {
  for (const p of ['/', '/dashboard/', '/dashboard/apps/my-app/resources']) {
    const r = await get(p, { Accept: 'text/html' });
    assert.equal(r.status, 200, p);
    assert.match(r.headers['content-type']!, /^text\/html/);
    assert.match(r.body.toString(), /<title>Slipway<\/title>/);
    assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['cache-control'], 'no-cache');
  }
});

test('assets: immutable, gzip when asked, a missing asset is a 404 (not the page)', async () => {
  const plain = await get('/dashboard/assets/index-abc.js');
  assert.equal(plain.status, 200);
  assert.match(plain.headers['content-type']!, /^text\/javascript/);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.match(plain.headers['cache-control']!, /immutable/);
  const gz = await get('/dashboard/assets/index-abc.js', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.body.length < plain.body.length / 5);
  assert.deepEqual(gunzipSync(gz.body), plain.body);
  const missing = await get('/dashboard/assets/nope.js');
  assert.equal(missing.status, 404);
  for (const p of ['/dashboard/../../etc/passwd', '/dashboard/%2e%2e/%2e%2e/etc/passwd', '/dashboard/..%2f..%2fetc%2fpasswd']) {
    const r = await get(p);
    assert.match(r.body.toString(), /<title>Slipway<\/title>/, `${p}: only files of the bundle are ever served`);
  }
});

test('API requests fall through', async () => {
  assert.equal((await get('/', { Accept: HEROKU })).status, 418);
  assert.equal((await get('/apps')).status, 418);
});

test('an unbuilt dashboard answers 404 with how to build it', async () => {
  const empty = createDashboard({ dir: path.join(dir, 'nope'), logger: silentLogger });
  const res = { status: 0, body: '', writeHead(s: number) { this.status = s; return this; }, end(b?: string) { this.body = b ?? ''; } };
  const taken = await empty.handle({ method: 'GET', url: '/', headers: {} } as http.IncomingMessage, res as unknown as http.ServerResponse);
  assert.equal(taken, true);
  assert.equal(res.status, 404);
  assert.match(res.body, /npm run build/);
});
