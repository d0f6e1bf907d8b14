import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { aDyno, anApp, aTable, request, startBackend, startRouter, until, type Backend } from './test-support.js';

/** A dyno that answers `/fast` at once and holds `/slow` until released. */
async function heldBackend(name: string): Promise<Backend & { held: http.ServerResponse[]; releaseAll(): void }> {
  const held: http.ServerResponse[] = [];
  const b = await startBackend((req, res) => {
    if (req.url === '/slow') held.push(res);
    else if (req.url === '/streaming') {
      res.writeHead(200).flushHeaders();
      held.push(res);
    } else res.end(name);
  });
  return Object.assign(b, { held, releaseAll: () => held.splice(0).forEach((r) => r.end(`${name}-slow`)) });
}

test('least outstanding requests: no request waits behind a busy dyno while another is idle', async (t) => {
  const one = await heldBackend('web.1');
  const two = await heldBackend('web.2');
  const r = await startRouter();
  t.after(async () => { one.releaseAll(); two.releaseAll(); await r.close(); await one.close(); await two.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ name: 'web.1', port: one.port }), aDyno({ name: 'web.2', port: two.port })] })));
  const slow = request(r.port, { host: 'demo.localhost', path: '/slow' });
  const busy = await until(() => (one.held.length === 1 ? one : two.held.length === 1 ? two : undefined), 'the slow request to be held');
  const idleName = busy === one ? 'web.2' : 'web.1';
  const served: Record<string, number> = {};
  for (let i = 0; i < 30; i++) {
    const res = await request(r.port, { host: 'demo.localhost', path: '/fast' });
    served[res.body] = (served[res.body] ?? 0) + 1;
  }
  assert.deepEqual(served, { [idleName]: 30 }, 'every fast request went to the idle dyno');
  busy.releaseAll();
  assert.match((await slow).body, /-slow$/);
});

test('with a concurrency limit of 1 requests queue and go to the first dyno that frees up; queue time is logged', async (t) => {
  const one = await heldBackend('web.1');
  const two = await heldBackend('web.2');
  const r = await startRouter();
  t.after(async () => { one.releaseAll(); two.releaseAll(); await r.close(); await one.close(); await two.close(); });
  r.router.setTable(aTable(anApp({ concurrency: 1, dynos: [aDyno({ name: 'web.1', port: one.port }), aDyno({ name: 'web.2', port: two.port })] })));
  const slowA = request(r.port, { host: 'demo.localhost', path: '/slow' });
  const slowB = request(r.port, { host: 'demo.localhost', path: '/slow' });
  await until(() => one.held.length === 1 && two.held.length === 1, 'both dynos to be busy');
  const queued = request(r.port, { host: 'demo.localhost', path: '/fast', headers: { 'X-Request-Id': 'queued-request-0000000001' } });
  await until(() => r.router.stats('id-demo')?.queued === 1, 'the third request to queue');
  assert.equal(one.seen.length + two.seen.length, 2, 'the queued request has not reached a dyno');
  two.releaseAll();
  assert.equal((await queued).body, 'web.2', 'the queued request went to the dyno that freed up');
  const line = await r.line(/request_id=queued-request-0000000001/);
  const queueMs = Number(/queue=(\d+)ms$/.exec(line)?.[1]);
  assert.ok(queueMs >= 0);
  assert.equal(r.metrics.find((m) => m.status === 200 && m.dyno === 'web.2' && m.queueMs === queueMs)?.appId, 'id-demo');
  one.releaseAll();
  await Promise.all([slowA, slowB]);
});

test('H11: past the queue bound the router answers Backlog too deep', async (t) => {
  const one = await heldBackend('web.1');
  const r = await startRouter({ routerQueueMax: 1 });
  t.after(async () => { one.releaseAll(); await r.close(); await one.close(); });
  r.router.setTable(aTable(anApp({ concurrency: 1, dynos: [aDyno({ port: one.port })] })));
  const slow = request(r.port, { host: 'demo.localhost', path: '/slow' });
  await until(() => one.held.length === 1, 'the dyno to be busy');
  const queued = request(r.port, { host: 'demo.localhost', path: '/fast' });
  await until(() => r.router.stats('id-demo')?.queued === 1, 'one queued request');
  const rejected = await request(r.port, { host: 'demo.localhost', path: '/fast' });
  assert.equal(rejected.status, 503);
  assert.match(rejected.body, /H11/);
  assert.match(await r.line(/code=H11/), /desc="Backlog too deep" .* dyno= /);
  one.releaseAll();
  assert.equal((await queued).body, 'web.1');
  await slow;
});

test('a queued request waits no longer than the request timeout (H12 from the queue)', async (t) => {
  const one = await heldBackend('web.1');
  const r = await startRouter({ routerTimeoutMs: 200 });
  t.after(async () => { one.releaseAll(); await r.close(); await one.close(); });
  r.router.setTable(aTable(anApp({ concurrency: 1, dynos: [aDyno({ port: one.port })] })));
  // The dyno is busy streaming a response (first byte sent, so that request itself cannot hit H12).
  const slow = request(r.port, { host: 'demo.localhost', path: '/streaming' });
  await until(() => one.held.length === 1, 'the dyno to be busy');
  const res = await request(r.port, { host: 'demo.localhost', path: '/fast', headers: { 'X-Request-Id': 'waits-too-long-000000001' } });
  assert.equal(res.status, 503);
  assert.match(await r.line(/request_id=waits-too-long/), /code=H12 .* dyno= /);
  assert.equal(one.seen.length, 1);
  one.releaseAll();
  await slow.catch(() => undefined);
});
