import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { internalRouterRoutes } from '../api/routes/internal-router.js';
import { createApiHandler, RouteTable } from '../api/http/index.js';
import { testConfig } from '../config.js';
import { silentLogger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import { internalTokenSource, ROUTER_PID_FILE, ROUTER_TOKEN_FILE } from './process-main.js';
import { createRouterSupervisor } from './supervisor.js';
import { aDyno, anApp, aTable, request, startBackend, until } from './test-support.js';
import type { RouterMetric, RoutingTable } from './types.js';
import type { RouterSummary } from '../metrics/index.js';

const TOKEN = 'internal-token-for-tests-0123456789';

/** A small API process stand-in: the real internal routes over a table we control. */
function fakeApi(token = TOKEN) {
  let table: RoutingTable = aTable();
  const listeners = new Set<(t: RoutingTable) => void>();
  const lines: { appId: string; message: string }[] = [];
  const metrics: RouterMetric[] = [];
  const summaries: RouterSummary[] = [];
  const logs: LogSink = { publish: (appId, line) => lines.push({ appId, message: line.message }) };
  const feed = {
    snapshot: () => table,
    subscribe: (l: (t: RoutingTable) => void) => (listeners.add(l), () => listeners.delete(l)),
  };
  const routes = new RouteTable(internalRouterRoutes({ config: { internalToken: token }, feed, logs, onMetric: (m) => metrics.push(m), onRouterSummaries: async (s) => void summaries.push(...s) }));
  const handler = createApiHandler({ routes, authenticate: async () => undefined, logger: silentLogger });
  let server: http.Server | undefined;
  return {
    lines, metrics, summaries, listeners,
    publish(next: RoutingTable) {
      table = next;
      for (const l of listeners) l(next);
    },
    async listen(port = 0): Promise<number> {
      server = http.createServer(handler);
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      return (server.address() as net.AddressInfo).port;
    },
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

test('the router process follows the feed, routes, ships logs, survives the API going away and is restarted when it dies', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'slipway-router-'));
  const backend = await startBackend((_req, res) => res.end('hello from web.1'));
  const api = fakeApi();
  const apiPort = await api.listen();
  const config = testConfig({ apiPort, routerPort: 0, listenHost: '127.0.0.1', internalToken: TOKEN, dataDir, metricsIntervalMs: 500 });
  const supervisor = createRouterSupervisor({ config, logger: silentLogger, stopGraceMs: 5_000 });
  t.after(async () => {
    await supervisor.stop();
    await api.close();
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const started = await supervisor.start();
  assert.equal(started.adopted, false);
  assert.ok(existsSync(path.join(dataDir, ROUTER_PID_FILE)));
  await until(() => api.listeners.size === 1, 'the router to follow the feed');
  api.publish(aTable(anApp({ appId: 'app-1', dynos: [aDyno({ port: backend.port })] })));
  const served = await until(async () => {
    const r = await request(started.port, { host: 'demo.localhost' });
    return r.status === 200 ? r : undefined;
  }, 'the first table to reach the router');
  assert.equal(served.body, 'hello from web.1');
  await until(() => api.lines.find((l) => l.appId === 'app-1' && /status=200/.test(l.message)), 'the log line to be shipped');
  // Metrics leave the router as one aggregate per app per interval, not one record per request.
  const summary = await until(() => api.summaries.find((m) => m.appId === 'app-1'), 'the interval summary to be shipped');
  assert.deepEqual([summary.processType, summary.stepMs, summary.requests, summary.statuses], ['web', 500, 1, { '2xx': 1 }]);
  assert.equal(api.metrics.length, 0);

  // The API goes away: traffic keeps flowing on the last table; log lines wait in the buffer.
  await api.close();
  const during = await request(started.port, { host: 'demo.localhost', headers: { 'X-Request-Id': 'while-the-api-was-away-01' } });
  assert.equal(during.status, 200);
  await api.listen(apiPort);
  await until(() => api.lines.find((l) => /request_id=while-the-api-was-away-01/.test(l.message)), 'the buffered line after the API came back', 15_000);
  await until(() => api.listeners.size === 1, 'the router to follow the feed again', 15_000);

  // The router process dies: the supervisor starts a new one, which gets the table again.
  const firstPid = supervisor.pid as number;
  process.kill(firstPid, 'SIGKILL');
  await until(() => supervisor.pid !== undefined && supervisor.pid !== firstPid && supervisor.port !== started.port, 'a new router process', 15_000);
  await until(async () => (await request(supervisor.port as number, { host: 'demo.localhost' }).catch(() => undefined))?.status === 200, 'the new process to route', 15_000);

  await supervisor.stop();
  assert.equal(existsSync(path.join(dataDir, ROUTER_PID_FILE)), false, 'a clean stop removes the pid file');
});

test('the internal endpoints refuse requests without the internal token', async (t) => {
  const api = fakeApi();
  const port = await api.listen();
  t.after(() => api.close());
  const get = await fetch(`http://127.0.0.1:${port}/internal/router/routes`, { headers: { Authorization: 'Bearer wrong-token-0123456789abcdef' } });
  assert.equal(get.status, 401);
  const post = await fetch(`http://127.0.0.1:${port}/internal/router/logs`, { method: 'POST', body: '{"type":"log","appId":"x","line":{"message":"forged"}}\n' });
  assert.equal(post.status, 401);
  assert.equal(api.lines.length, 0);
  const ok = await fetch(`http://127.0.0.1:${port}/internal/router/logs`, {
    method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` },
    body: '{"type":"log","appId":"x","line":{"message":"real"}}\nnot json\n{"type":"dropped","count":3}\n',
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { accepted: 2 });
  assert.deepEqual(api.lines, [{ appId: 'x', message: 'real' }]);
});

test('a router adopted by a new platform process follows the new API even though its internal token changed', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'slipway-router-'));
  const backend = await startBackend((req, res) => res.end(`served ${req.url}`));
  const oldApi = fakeApi(TOKEN);
  const apiPort = await oldApi.listen();
  const oldConfig = testConfig({ apiPort, routerPort: 0, listenHost: '127.0.0.1', internalToken: TOKEN, dataDir });
  const oldSupervisor = createRouterSupervisor({ config: oldConfig, logger: silentLogger, stopGraceMs: 5_000 });
  const started = await oldSupervisor.start();
  let supervisor = oldSupervisor;
  let api = oldApi;
  t.after(async () => {
    await supervisor.stop();
    await api.close();
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  assert.equal(statSync(path.join(dataDir, ROUTER_TOKEN_FILE)).mode & 0o777, 0o600);
  await until(() => oldApi.listeners.size === 1, 'the router to follow the first API');
  oldApi.publish(aTable(anApp({ appId: 'app-1', dynos: [aDyno({ port: backend.port })] })));
  await until(async () => (await request(started.port, { host: 'demo.localhost' })).status === 200, 'the first table to reach the router');

  // The platform process goes away leaving its router running; a new one comes with a new token.
  oldSupervisor.detach();
  await oldApi.close();
  const NEW_TOKEN = 'a-new-internal-token-after-restart-42';
  api = fakeApi(NEW_TOKEN);
  await api.listen(apiPort);
  supervisor = createRouterSupervisor({ config: { ...oldConfig, internalToken: NEW_TOKEN, routerPort: started.port }, logger: silentLogger, stopGraceMs: 5_000 });
  const adopted = await supervisor.start();
  assert.deepEqual({ adopted: adopted.adopted, pid: adopted.pid }, { adopted: true, pid: started.pid });

  await until(() => api.listeners.size === 1, 'the adopted router to follow the new API with the new token', 15_000);
  api.publish(aTable(anApp({ appId: 'app-2', name: 'after', dynos: [aDyno({ port: backend.port })] })));
  const r = await until(async () => {
    const res = await request(started.port, { host: 'after.localhost', path: '/again', headers: { 'X-Request-Id': 'after-the-platform-restart-01' } });
    return res.status === 200 ? res : undefined;
  }, 'the new table to reach the adopted router');
  assert.equal(r.body, 'served /again');
  await until(() => api.lines.find((l) => l.appId === 'app-2' && /request_id=after-the-platform-restart-01/.test(l.message)), 'its line shipped with the new token', 15_000);
});

test('internalTokenSource: the token file wins when it holds a token, re-read at most once a second', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'slipway-router-'));
  try {
    let now = 0;
    const token = internalTokenSource({ dataDir, internalToken: TOKEN }, () => now);
    assert.equal(token(), TOKEN, 'no file: the configured token');
    writeFileSync(path.join(dataDir, ROUTER_TOKEN_FILE), 'from-the-file-0123456789\n');
    now = 500;
    assert.equal(token(), TOKEN, 'not re-read within a second');
    now = 1_000;
    assert.equal(token(), 'from-the-file-0123456789');
    writeFileSync(path.join(dataDir, ROUTER_TOKEN_FILE), 'short\n');
    now = 2_000;
    assert.equal(token(), 'from-the-file-0123456789', 'a file without a usable token keeps the last one');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
