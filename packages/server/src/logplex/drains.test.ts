import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError, NotFoundError } from '../errors.js';
import { parseOctetFrames } from './syslog-frame.js';
import type { LogEntry } from './types.js';
import { aLogplex, anApp, aStore, freePort, selfSignedCert, startHttpReceiver, startSyslogReceiver, tempDir, waitFor, defer } from './test-kit.js';

const fast = { backoffMinMs: 20, backoffMaxMs: 200 };
const frame = (e: LogEntry, host: string, pri: number) => `<${pri}>1 ${e.timestamp} ${host} ${e.source} ${e.dyno} - - ${e.message}`;

test('syslog:// drain: a real TCP receiver gets every line, in order, octet-counted RFC 5424', async (t) => {
  const store = await aStore(t);
  const app = await anApp(store, 'drained-app');
  const rx = await startSyslogReceiver();
  defer(t, async () => rx.close());
  const logplex = await aLogplex(t, { store, options: fast });
  const rec = await logplex.drains.add(app.id, `syslog://127.0.0.1:${rx.port}`);
  assert.match(rec.token, /^d\.[0-9a-f-]{36}$/);
  logplex.publish(app.id, { source: 'app', dyno: 'web.1', message: 'hello from web' });
  logplex.publish(app.id, { source: 'heroku', dyno: 'router', message: 'at=info method=GET path="/" status=200' });
  logplex.publish(app.id, { source: 'heroku', dyno: 'web.1', message: 'State changed from starting to up' });
  for (let i = 0; i < 200; i++) logplex.publish(app.id, { source: 'app', dyno: 'worker.1', message: `n=${i} ünïcode` });
  await waitFor(() => rx.messages.length === 203, 'all lines at the receiver');
  const h = logplex.history(app.id, { lines: 1500 });
  assert.equal(rx.messages[0], frame(h[0], 'drained-app', 190));
  assert.equal(rx.messages[1], frame(h[1], 'drained-app', 158));
  assert.equal(rx.messages[2], frame(h[2], 'drained-app', 134));
  assert.deepEqual(rx.messages.slice(3), h.slice(3).map((e) => frame(e, 'drained-app', 190)));
  assert.equal(rx.connections, 1, 'one long-lived connection');
});

test('syslog+tls:// and https:// drains with a local TLS receiver (openssl certificate)', async (t) => {
  const dir = await tempDir(t);
  const cert = await selfSignedCert(dir);
  if (!cert) return t.skip('openssl is not installed');
  const store = await aStore(t);
  const app = await anApp(store, 'tls-app');
  const srx = await startSyslogReceiver({ tls: cert });
  const hrx = await startHttpReceiver({ tls: cert });
  defer(t, async () => srx.close());
  defer(t, async () => hrx.close());
  const logplex = await aLogplex(t, { store, options: { ...fast, tls: { ca: cert.cert } } });
  await logplex.drains.add(app.id, `syslog+tls://localhost:${srx.port}`);
  await logplex.drains.add(app.id, `${hrx.url}/drain`);
  for (let i = 0; i < 250; i++) logplex.publish(app.id, { source: 'app', dyno: 'web.1', message: `secret line ${i}` });
  const posted = () => hrx.requests.reduce((n, r) => n + Number(r.headers['logplex-msg-count']), 0);
  await waitFor(() => srx.messages.length === 250 && posted() === 250, 'both TLS receivers');
  const want = logplex.history(app.id, { lines: 1500 }).map((e) => frame(e, 'tls-app', 190));
  assert.equal(want.length, 250);
  assert.deepEqual(srx.messages, want, 'syslog+tls: every line, in order');
  assert.deepEqual(hrx.requests.flatMap((r) => parseOctetFrames(Buffer.from(r.body)).messages), want, 'https: every line, in order');
  assert.ok(hrx.requests.length >= 3, 'https: batches of at most 100 lines');
});

test('http(s) drain: batched POSTs with logplex headers, basic auth, path and query kept', async (t) => {
  const store = await aStore(t);
  const app = await anApp(store, 'http-app');
  const rx = await startHttpReceiver();
  defer(t, async () => rx.close());
  const logplex = await aLogplex(t, { store, options: { ...fast, batchLines: 10 } });
  const url = rx.url.replace('http://', 'http://user:p%40ss@') + '/logs?source=slipway';
  const rec = await logplex.drains.add(app.id, url);
  for (let i = 0; i < 35; i++) logplex.publish(app.id, { source: 'app', dyno: 'web.1', message: `line ${i}` });
  const count = () => rx.requests.reduce((n, r) => n + Number(r.headers['logplex-msg-count']), 0);
  await waitFor(() => count() === 35, 'all lines posted');
  const h = logplex.history(app.id, { lines: 100 });
  const bodies = rx.requests.flatMap((r) => parseOctetFrames(Buffer.from(r.body)).messages);
  assert.deepEqual(bodies, h.map((e) => frame(e, 'http-app', 190)));
  const ids = new Set<string>();
  for (const r of rx.requests) {
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/logs?source=slipway');
    assert.equal(r.headers['content-type'], 'application/logplex-1');
    assert.equal(r.headers['logplex-drain-token'], rec.token);
    assert.equal(r.headers['user-agent'], 'Logplex/v72');
    assert.equal(r.headers.authorization, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    assert.equal(parseOctetFrames(Buffer.from(r.body)).messages.length, Number(r.headers['logplex-msg-count']));
    assert.ok(Number(r.headers['logplex-msg-count']) <= 10);
    ids.add(String(r.headers['logplex-frame-id']));
  }
  assert.equal(ids.size, rx.requests.length, 'one frame id per batch');
});

test('a dead syslog drain: bounded buffer, exactly-counted drops, one L10 after it comes back', async (t) => {
  const store = await aStore(t);
  const app = await anApp(store, 'dead-drain');
  const port = await freePort();
  const logplex = await aLogplex(t, { store, config: { drainBufferLines: 100 }, options: fast });
  const rec = await logplex.drains.add(app.id, `syslog://127.0.0.1:${port}`);
  for (let i = 0; i < 1000; i++) logplex.publish(app.id, { source: 'app', dyno: 'web.1', message: `line ${i}` });
  await waitFor(() => logplex.history(app.id, { lines: 1 })[0]?.message === 'line 999', 'dispatch');
  const stats = logplex.drains.stats(rec.id)!;
  assert.equal(stats.buffered, 100, 'memory stays bounded by drainBufferLines');
  assert.equal(stats.droppedTotal, 900);

  const rx = await startSyslogReceiver({ port });
  defer(t, async () => rx.close());
  await waitFor(() => rx.messages.length === 101, 'buffered lines and the L10 report');
  assert.deepEqual(rx.messages.slice(0, 100).map((m) => m.split(' - - ')[1]), Array.from({ length: 100 }, (_, i) => `line ${i}`));
  assert.match(rx.messages[100], /^<172>1 \S+ dead-drain heroku logplex - - Error L10 \(output buffer overflow\): 900 messages dropped since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\.$/);
  const l10 = logplex.history(app.id, { source: 'heroku', dyno: 'logplex' });
  assert.equal(l10.length, 1, 'one L10 line on the channel');
  assert.match(l10[0].text, /heroku\[logplex\]: Error L10 \(output buffer overflow\): 900 messages dropped since /);
});

test('a slow https drain: the channel never waits, drops are counted exactly', async (t) => {
  const store = await aStore(t);
  const app = await anApp(store, 'slow-drain');
  const rx = await startHttpReceiver();
  defer(t, async () => rx.close());
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  rx.respond = async () => { await gate; return 204; };
  const logplex = await aLogplex(t, { store, config: { drainBufferLines: 50 }, options: { ...fast, batchLines: 10 } });
  const rec = await logplex.drains.add(app.id, rx.url);
  logplex.publish(app.id, { source: 'app', dyno: 'web.1', message: 'first' });
  await waitFor(() => logplex.history(app.id).length === 1 && logplex.drains.stats(rec.id)?.buffered === 0, 'first batch in flight');
  for (let i = 0; i < 500; i++) logplex.publish(app.id, { source: 'app', dyno: 'web.1', message: `line ${i}` });
  await waitFor(() => logplex.history(app.id, { lines: 1 })[0]?.message === 'line 499', 'the channel is not held up');
  assert.equal(logplex.drains.stats(rec.id)?.buffered, 50);
  assert.equal(logplex.drains.stats(rec.id)?.droppedTotal, 450);
  release();
  await waitFor(() => rx.requests.some((r) => r.body.includes('Error L10')), 'L10 after recovery');
  const lines = rx.requests.flatMap((r) => parseOctetFrames(Buffer.from(r.body)).messages.map((m) => m.split(' - - ')[1]));
  assert.equal(lines.length, 1 + 50 + 1);
  assert.match(lines.at(-1)!, /^Error L10 \(output buffer overflow\): 450 messages dropped since /);
});

test('drain records: validation, max per app, remove by id|url|token, restored at start', async (t) => {
  const store = await aStore(t);
  const app = await anApp(store, 'crud-app');
  const rx = await startSyslogReceiver();
  defer(t, async () => rx.close());
  const first = await aLogplex(t, { store, config: { maxDrains: 3 }, options: fast });
  await assert.rejects(first.drains.add(app.id, 'ftp://example.com/x'), InvalidParamsError);
  await assert.rejects(first.drains.add(app.id, 'syslog://logs.example.com'), /port/);
  await assert.rejects(first.drains.add(app.id, 'not a url'), InvalidParamsError);
  await assert.rejects(first.drains.add(app.id, undefined), InvalidParamsError);
  const a = await first.drains.add(app.id, `syslog://127.0.0.1:${rx.port}`);
  await assert.rejects(first.drains.add(app.id, `syslog://127.0.0.1:${rx.port}`), /already been taken/);
  const b = await first.drains.add(app.id, 'https://user:pw@logs.example.com/path');
  const c = await first.drains.add(app.id, 'http://127.0.0.1:9/x');
  await assert.rejects(first.drains.add(app.id, 'syslog://127.0.0.1:10'), /only have 3 log drains/);
  assert.deepEqual((await first.drains.list(app.id)).map((d) => d.id).sort(), [a.id, b.id, c.id].sort());
  assert.equal((await first.drains.remove(app.id, b.url)).id, b.id);
  assert.equal((await first.drains.remove(app.id, c.token)).id, c.id);
  await assert.rejects(first.drains.remove(app.id, c.id), NotFoundError);
  await first.stop();

  const second = await aLogplex(t, { store, options: fast });
  second.publish(app.id, { source: 'app', dyno: 'web.1', message: 'after restart' });
  await waitFor(() => rx.messages.some((m) => m.endsWith(' crud-app app web.1 - - after restart')), 'restored drain delivers');
  assert.ok(second.drains.stats(a.id));
});
