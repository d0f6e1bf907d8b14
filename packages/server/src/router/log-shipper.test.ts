import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { silentLogger } from '../log/index.js';
import { createLogShipper, encodeEntry, type ShippedEntry } from './log-shipper.js';
import { closedPort, until } from './test-support.js';

const line = (n: number): ShippedEntry => ({ type: 'log', appId: 'a', line: { source: 'heroku', dyno: 'router', message: `line ${n}` } });

test('buffers while the API is away, drops the oldest past the bound, and reports the count once delivered', async (t) => {
  const port = await closedPort();
  const received: Record<string, unknown>[] = [];
  let auth = '';
  const server = http.createServer((req, res) => {
    auth = req.headers.authorization ?? '';
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      for (const l of body.split('\n')) if (l) received.push(JSON.parse(l));
      res.end('{}');
    });
  });
  const shipper = createLogShipper({ apiUrl: `http://127.0.0.1:${port}`, token: 'tok', logger: silentLogger, maxBuffer: 5, flushMs: 20, maxBackoffMs: 50 });
  t.after(async () => { await shipper.stop(); server.closeAllConnections(); await new Promise((r) => server.close(r)); });
  shipper.start();
  for (let i = 1; i <= 8; i++) shipper.push(line(i));
  assert.deepEqual(shipper.stats(), { buffered: 5, dropped: 3, shipped: 0 });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  assert.equal((server.address() as net.AddressInfo).port, port);
  await until(() => shipper.stats().shipped === 5, 'the buffer to be delivered');
  assert.deepEqual(received.map((e) => (e.type === 'log' ? (e.line as { message: string }).message : `dropped ${e.count}`)),
    ['line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'dropped 3']);
  assert.equal(auth, 'Bearer tok');
});

test('encodeEntry writes the same JSON as JSON.stringify for log lines, metrics and anything else', () => {
  const entries: ShippedEntry[] = [
    { type: 'log', appId: 'a"b', line: { source: 'heroku', dyno: 'router', message: 'at=info path="/\\x" é \u2028 \n', time: '2026-01-01T00:00:00.000Z' } },
    { type: 'log', appId: 'a', line: { source: 'heroku', dyno: 'router', message: 'no time' } },
    { type: 'metric', appId: 'a', at: 1700000000123, dyno: 'web.1', status: 200, code: null, queueMs: 0, connectMs: 0.123456789, serviceMs: 12.5, bytes: 3 },
    { type: 'metric', appId: 'a', at: 1, dyno: null, status: 503, code: 'H12', queueMs: 1.5, connectMs: null, serviceMs: null, bytes: 0 },
    { type: 'metric', appId: 'a', at: 1, dyno: null, status: 503, code: 'H12', queueMs: NaN, connectMs: Infinity, serviceMs: null, bytes: 0 },
    { type: 'dropped', count: 3 },
  ];
  for (const e of entries) {
    assert.equal(encodeEntry(e), JSON.stringify(e));
    assert.deepEqual(JSON.parse(encodeEntry(e)), JSON.parse(JSON.stringify(e)));
  }
});
