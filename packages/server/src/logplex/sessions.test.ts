import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { test } from 'node:test';
import { EventSource } from 'eventsource';
import { createApiHandler, RouteTable } from '../api/http/index.js';
import { logRoutes } from '../api/routes/log-sessions.js';
import { testConfig } from '../config.js';
import { NotFoundError } from '../errors.js';
import { silentLogger } from '../log/index.js';
import type { Store } from '../store/types.js';
import type { LogplexOptions, LogplexService } from './logplex.js';
import { aLogplex, anApp, aStore, waitFor, defer } from './test-kit.js';

interface Api { base: string; logplex: LogplexService; appId: string; sockets: Set<net.Socket> }

/** The real API HTTP core with the logplex's routes, on a random port. */
async function anApi(t: Parameters<typeof defer>[0], options: Partial<LogplexOptions> = {}): Promise<Api> {
  const store: Store = await aStore(t);
  const app = await anApp(store, 'myapp');
  const logplex = await aLogplex(t, { store, options });
  const owner = (await store.users.findByEmail('owner@example.com'))!;
  let handler: http.RequestListener = () => {};
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => handler(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const apps = {
    async resolve(_user: unknown, name: string) {
      const found = await store.apps.findByName(name);
      if (!found) throw new NotFoundError('app');
      return found;
    },
  };
  const routes = new RouteTable(logRoutes({ apps, logplex, config: testConfig({ url: base }) }));
  handler = createApiHandler({ routes, logger: silentLogger, authenticate: async (req) => (req.headers.authorization === 'Bearer secret' ? owner : undefined) });
  defer(t, async () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { base, logplex, appId: app.id, sockets };
}

async function createSession(api: Api, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, string> }> {
  const res = await fetch(`${api.base}/apps/myapp/log-sessions`, {
    method: 'POST',
    headers: { Authorization: 'Bearer secret', Accept: 'application/vnd.heroku+json; version=3.sdk', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

interface SseReader { events: { id?: string; data: string }[]; comments: string[]; status: number; contentType: string; ended: boolean; close(): void }

/** A raw SSE reader over node:http (to see exact events, comments and the end of the stream). */
function readSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const r: SseReader = { events: [], comments: [], status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), ended: false, close: () => req.destroy() };
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const ev: { id?: string; data: string } = { data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) r.comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('data: ')) { ev.data += (isEvent ? '\n' : '') + line.slice(6); isEvent = true; }
          }
          if (isEvent) r.events.push(ev);
        }
      });
      res.on('end', () => { r.ended = true; });
      res.on('error', () => {});
      resolve(r);
    });
    req.on('error', reject);
  });
}

test('non-tail session: history (lines, filters) as SSE events, then the stream ends', async (t) => {
  const api = await anApi(t);
  for (let i = 1; i <= 5; i++) api.logplex.publish(api.appId, { source: 'app', dyno: `web.${i % 2 + 1}`, message: `line ${i}` });
  api.logplex.publish(api.appId, { source: 'heroku', dyno: 'router', message: 'at=info status=200' });
  await waitFor(() => api.logplex.history(api.appId).length === 6, 'dispatch');

  const { status, json } = await createSession(api, { lines: 3, tail: false });
  assert.equal(status, 201);
  assert.deepEqual(Object.keys(json).sort(), ['created_at', 'id', 'logplex_url', 'updated_at']);
  assert.match(json.logplex_url, new RegExp(`^${api.base}/log-stream/${json.id}\\?token=[\\w-]{20,}$`));
  const sse = await readSse(json.logplex_url);
  assert.equal(sse.status, 200);
  assert.match(sse.contentType, /^text\/event-stream/);
  await waitFor(() => sse.ended, 'end of a non-tail stream');
  assert.deepEqual(sse.events.map((e) => e.id), ['4', '5', '6']);
  assert.match(sse.events[2].data, /^\d{4}-\d\d-\d\dT[\d:.]{15}\+00:00 heroku\[router\]: at=info status=200$/);

  const filtered = await createSession(api, { source: 'app', dyno: 'web.2', lines: 100, tail: false });
  const f = await readSse(filtered.json.logplex_url);
  await waitFor(() => f.ended, 'end');
  assert.deepEqual(f.events.map((e) => e.data.replace(/^\S+ /, '')), ['app[web.2]: line 1', 'app[web.2]: line 3', 'app[web.2]: line 5']);

  const resumed = await readSse(json.logplex_url, { 'Last-Event-ID': '4' });
  await waitFor(() => resumed.ended, 'end');
  assert.deepEqual(resumed.events.map((e) => e.id), ['5', '6'], 'resumes after Last-Event-ID');
});

test('tail session: history, then new lines promptly, heartbeats, filters', async (t) => {
  const api = await anApi(t, { heartbeatMs: 50 });
  api.logplex.publish(api.appId, { source: 'app', dyno: 'web.1', message: 'old' });
  await waitFor(() => api.logplex.history(api.appId).length === 1, 'dispatch');
  const { json } = await createSession(api, { dyno: 'web', lines: 10, tail: true });
  const sse = await readSse(json.logplex_url);
  defer(t, async () => sse.close());
  await waitFor(() => sse.events.length === 1, 'history');
  api.logplex.publish(api.appId, { source: 'heroku', dyno: 'router', message: 'filtered out' });
  api.logplex.publish(api.appId, { source: 'app', dyno: 'web.2', message: 'new line' });
  await waitFor(() => sse.events.length === 2, 'live line');
  assert.ok(sse.events[1].data.endsWith(' app[web.2]: new line'));
  assert.equal(sse.events[1].id, '3');
  await waitFor(() => sse.comments.includes('heartbeat'), 'heartbeat');
  assert.equal(sse.ended, false);
});

test('the official CLI\'s EventSource reconnects with Last-Event-ID and misses nothing', async (t) => {
  const api = await anApi(t);
  const { json } = await createSession(api, { tail: true });
  const got: string[] = [];
  const es = new EventSource(json.logplex_url);
  defer(t, async () => es.close());
  es.addEventListener('message', (e) => got.push(e.data.replace(/^\S+ /, '')));
  api.logplex.publish(api.appId, { source: 'app', dyno: 'web.1', message: 'first' });
  await waitFor(() => got.length === 1, 'first line');
  for (const s of api.sockets) s.destroy();
  api.logplex.publish(api.appId, { source: 'app', dyno: 'web.1', message: 'while disconnected' });
  await waitFor(() => got.length === 2, 'reconnect (EventSource waits 3 s)');
  api.logplex.publish(api.appId, { source: 'app', dyno: 'web.1', message: 'after' });
  await waitFor(() => got.length === 3, 'live after reconnect');
  assert.deepEqual(got, ['app[web.1]: first', 'app[web.1]: while disconnected', 'app[web.1]: after']);
});

test('bad token, unknown and expired sessions are 404; bad bodies are 422; auth is required', async (t) => {
  const api = await anApi(t, { sessionTtlMs: 100 });
  const { json } = await createSession(api, { tail: false });
  const wrong = await fetch(json.logplex_url.replace(/token=.*/, 'token=nope'));
  assert.equal(wrong.status, 404);
  assert.equal(((await wrong.json()) as { id: string }).id, 'not_found');
  assert.equal((await fetch(`${api.base}/log-stream/unknown?token=x`)).status, 404);
  const unused = await createSession(api, { tail: false });
  await new Promise((r) => setTimeout(r, 300)); // past sessionTtlMs (100 ms)
  assert.equal((await fetch(unused.json.logplex_url)).status, 404, 'an unused session expires');
  assert.equal((await createSession(api, { lines: -1 })).status, 422);
  assert.equal((await createSession(api, { source: 'nope' })).status, 422);
  const anon = await fetch(`${api.base}/apps/myapp/log-sessions`, { method: 'POST' });
  assert.equal(anon.status, 401);
});
