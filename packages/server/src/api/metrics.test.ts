import assert from 'node:assert/strict';
import { test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startTestApi } from '../../test/helpers/api-server.js';
import { silentLogger } from '../log/index.js';
import { createMetrics, createPrometheusExposition, type Metrics } from '../metrics/index.js';
import { summariesOf } from '../metrics/test-kit.js';
import { metricsRoutes } from './routes/metrics.js';

async function setup() {
  let metrics: Metrics | undefined;
  const api = await startTestApi({
    extraRoutes: ({ store, apps }) => {
      metrics = createMetrics({ store, logger: silentLogger });
      return metricsRoutes({ apps, metrics, prometheus: createPrometheusExposition({ metrics, store }), heartbeatMs: 50 });
    },
  });
  const created = await api.request('POST', '/apps', { body: { name: 'probe' } });
  assert.equal(created.status, 201);
  return { api, metrics: metrics!, appId: created.body.id as string };
}

test('GET /apps/:app/metrics/:name answers a series; bad input gets Heroku-style errors', async (t) => {
  const { api, metrics, appId } = await setup();
  t.after(() => api.close());
  const now = Date.now();
  const start = Math.floor(now / 60_000) * 60_000 - 60_000;
  await metrics.ingestRouter(summariesOf(appId, start + 1_000, [{ serviceMs: 10 }, { serviceMs: 20 }, { serviceMs: 900, status: 503, code: 'H12' }]));
  const iso = new Date(start).toISOString();
  const r = await api.request('GET', `/apps/probe/metrics/throughput?start=${iso}&end=${new Date(start + 60_000).toISOString()}&step=1m`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, {
    name: 'throughput', app: { id: appId, name: 'probe' }, process_type: 'web', start: iso, end: new Date(start + 60_000).toISOString(), step: 60,
    points: [{ time: iso, requests: 3, rpm: 3, '1xx': 0, '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 1, bytes: 300 }],
  });
  const rt = await api.request('GET', `/apps/probe/metrics/response-time?start=${start}&end=${start + 60_000}&step=60`);
  assert.equal(rt.body.points[0].max, 900);
  assert.equal(rt.body.points[0].count, 3);
  const errors = await api.request('GET', `/apps/probe/metrics/errors?start=${start}&end=${start + 60_000}&step=60&process_type=web`);
  assert.deepEqual(errors.body.points[0].codes, { H12: 1 });
  const names = await api.request('GET', '/apps/probe/metrics');
  assert.ok(names.body.some((n: { name: string }) => n.name === 'response-time'));

  for (const [q, id] of [['/apps/probe/metrics/nope', 'not_found'], ['/apps/probe/metrics/throughput?start=yesterday', 'invalid_params'], ['/apps/probe/metrics/throughput?step=-1', 'invalid_params'],
    ['/apps/probe/metrics/throughput?process_type=a%20b', 'invalid_params'], ['/apps/nope/metrics/throughput', 'not_found'], [`/apps/probe/metrics/throughput?start=${now}&end=${now - 1}`, 'invalid_params']] as const) {
    const bad = await api.request('GET', q);
    assert.equal(bad.body.id, id, q);
    assert.equal(typeof bad.body.message, 'string');
  }
  const stranger = await api.user('stranger@example.com');
  assert.equal((await api.request('GET', '/apps/probe/metrics/throughput', { token: stranger })).status, 404);
});

test('the live stream sends each new interval as an SSE point', async (t) => {
  const { api, metrics, appId } = await setup();
  t.after(() => api.close());
  const ac = new AbortController();
  t.after(() => ac.abort());
  const res = await fetch(`${api.url}/apps/probe/metrics/throughput/stream`, { headers: { Authorization: `Bearer ${api.adminToken}` }, signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  await metrics.ingestRouter(summariesOf(appId, 1_800_000_005_000, [{ serviceMs: 5 }, { serviceMs: 6 }]));
  let text = '';
  while (!text.includes('event: point')) text += new TextDecoder().decode((await reader.read()).value);
  const data = JSON.parse(/data: (.*)\n/.exec(text.slice(text.indexOf('event: point')))![1]);
  assert.deepEqual([data.time, data.requests, data['2xx'], data.step], [new Date(1_800_000_000_000).toISOString(), 2, 2, 10]);
  const bad = await api.request('GET', '/apps/probe/metrics/nope/stream');
  assert.deepEqual([bad.status, bad.body.id], [404, 'not_found']);
});

test('GET /metrics is Prometheus text a real parser reads, for admins only', async (t) => {
  const { api, metrics, appId } = await setup();
  t.after(() => api.close());
  const user = await api.user('user@example.com');
  const denied = await api.request('GET', '/metrics', { token: user });
  assert.deepEqual([denied.status, denied.body.id], [403, 'forbidden']);
  assert.equal((await api.request('GET', '/metrics', { token: null })).status, 401);
  const at = Date.now() - 5_000;
  const requests: Parameters<typeof summariesOf>[2] = [...Array(98)].map((_, i) => ({ serviceMs: 10 + i }));
  requests.push({ serviceMs: 5000, status: 503, code: 'H12' }, { serviceMs: 1, status: 404 });
  await metrics.ingestRouter(summariesOf(appId, at, requests));
  const r = await api.request('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const families = new Map(parsePrometheusTextFormat(r.body as string).map((f) => [f.name, f]));
  const sample = (name: string, labels: Record<string, string>) => families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  assert.equal(families.get('slipway_router_requests_total')?.type, 'COUNTER');
  assert.equal(sample('slipway_router_requests_total', { app: 'probe', process_type: 'web', status_class: '2xx' })?.value, '98');
  assert.equal(sample('slipway_router_requests_total', { app: 'probe', status_class: '5xx' })?.value, '1');
  assert.equal(sample('slipway_router_errors_total', { app: 'probe', code: 'H12' })?.value, '1');
  assert.equal(sample('slipway_router_requests_per_minute', { app: 'probe' })?.value, '100');
  const p99 = Number(sample('slipway_router_response_time_seconds', { app: 'probe', quantile: '0.99' })?.value);
  assert.ok(Math.abs(p99 - 0.107) / 0.107 <= 0.01, `p99 ${p99}`);
  assert.equal(sample('slipway_apps', {})?.value, '1');
  assert.ok(families.has('slipway_process_cpu_seconds_total'), 'platform process series');
});
