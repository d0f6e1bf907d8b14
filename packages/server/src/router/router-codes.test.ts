import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { aDyno, anApp, aTable, closedPort, request, startBackend, startRouter, until } from './test-support.js';

test('H80 maintenance page, H14 no web dynos, H10 crashed: 503 pages with code and request id, dyno= blank', async (t) => {
  const r = await startRouter();
  t.after(() => r.close());
  r.router.setTable(aTable(
    anApp({ name: 'calm', maintenance: true, dynos: [aDyno({ port: 1 })] }),
    anApp({ name: 'empty', dynos: [aDyno({ state: 'down', port: null, host: null })] }),
    anApp({ name: 'broken', dynos: [aDyno({ state: 'crashed', port: null, host: null })] }),
  ));
  const cases = [['calm', 'H80', /Offline for Maintenance/, 'info'], ['empty', 'H14', /Application error/, 'error'], ['broken', 'H10', /Application error/, 'error']] as const;
  for (const [name, code, page, at] of cases) {
    const res = await request(r.port, { host: `${name}.localhost`, headers: { 'X-Request-Id': `request-id-for-${name}-0123456` } });
    assert.equal(res.status, 503, code);
    assert.match(res.body, page);
    assert.match(res.body, new RegExp(`<code>${code}</code>`));
    assert.match(res.body, new RegExp(`request-id-for-${name}`));
    const line = await r.line(new RegExp(`code=${code}`));
    assert.match(line, new RegExp(`^at=${at} code=${code} desc="[^"]+" method=GET path="/" host=${name}.localhost request_id=request-id-for-${name}-0123456 fwd="127.0.0.1" dyno= connect= service= status=503 bytes=\\d+ protocol=http`));
  }
});

test('H12: no first byte within the timeout closes the dyno connection and serves 503', async (t) => {
  let dynoSocketClosed = false;
  const backend = await startBackend((req) => req.socket.on('close', () => (dynoSocketClosed = true)));
  const r = await startRouter({ routerTimeoutMs: 200 });
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  const res = await request(r.port, { host: 'demo.localhost' });
  assert.equal(res.status, 503);
  assert.match(res.body, /H12/);
  assert.match(await r.line(/code=H12/), /^at=error code=H12 desc="Request timeout" .* dyno=web.1 connect=\d+ms service=\d+ms status=503 /);
  await until(() => dynoSocketClosed, 'the dyno connection to be closed');
});

test('H15: a response that stalls past the idle window is cut', async (t) => {
  const backend = await startBackend((_req, res) => {
    res.writeHead(200, { 'Content-Length': '100' });
    res.write('partial');
  });
  const r = await startRouter({ routerIdleTimeoutMs: 200 });
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  await assert.rejects(request(r.port, { host: 'demo.localhost' }));
  assert.match(await r.line(/code=H15/), /at=error code=H15 desc="Idle connection" .* dyno=web.1 .* status=503 bytes=7 /);
});

test('H13: the dyno closes the connection without a response', async (t) => {
  const backend = await startBackend((req) => req.socket.destroy());
  const r = await startRouter();
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  const res = await request(r.port, { host: 'demo.localhost' });
  assert.equal(res.status, 503);
  assert.match(await r.line(/code=H13/), /desc="Connection closed without response" .* dyno=web.1 /);
});

test('H18: the dyno dies after a partial response (sock=backend)', async (t) => {
  const backend = await startBackend((req, res) => {
    res.writeHead(200, { 'Content-Length': '100' });
    res.write('ten bytes!', () => setTimeout(() => req.socket.destroy(), 20));
  });
  const r = await startRouter();
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  await assert.rejects(request(r.port, { host: 'demo.localhost' }));
  assert.match(await r.line(/code=H18/), /desc="Server Request Interrupted" .* status=503 bytes=10 protocol=http sock=backend/);
});

test('H27: the client goes away mid-request (at=warning, 499, sock=client) and the dyno request is dropped', async (t) => {
  let dynoSocketClosed = false;
  const backend = await startBackend((req) => req.socket.on('close', () => (dynoSocketClosed = true)));
  const r = await startRouter();
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  const req = http.get({ host: '127.0.0.1', port: r.port, headers: { Host: 'demo.localhost' }, agent: false });
  req.on('error', () => {});
  await until(() => backend.seen.length === 1, 'the request to reach the dyno');
  req.destroy();
  assert.match(await r.line(/code=H27/), /^at=warning code=H27 desc="Client Request Interrupted" .* dyno=web.1 .* status=499 .* sock=client/);
  await until(() => dynoSocketClosed, 'the dyno connection to be closed');
  await until(() => r.router.stats('id-demo')?.dynos[0].outstanding === 0, 'the dyno to be released');
});

test('H20: no web dyno comes up within the boot timeout; a dyno that does come up serves the waiting request', async (t) => {
  const backend = await startBackend((_req, res) => res.end('booted'));
  const r = await startRouter({ routerBootTimeoutMs: 200 });
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ state: 'starting', port: null })] })));
  const res = await request(r.port, { host: 'demo.localhost' });
  assert.equal(res.status, 503);
  assert.match(await r.line(/code=H20/), /desc="App boot timeout" .* dyno= /);

  const r2 = await startRouter({ routerBootTimeoutMs: 30_000 });
  t.after(() => r2.close());
  r2.router.setTable(aTable(anApp({ dynos: [aDyno({ state: 'starting', port: null })] })));
  const waiting = request(r2.port, { host: 'demo.localhost' });
  await until(() => r2.router.stats('id-demo')?.queued === 1, 'the request to wait for the boot');
  r2.router.setTable(aTable(anApp({ dynos: [aDyno({ state: 'up', port: backend.port })] })));
  assert.equal((await waiting).body, 'booted');
  assert.match(await r2.line(/status=200/), /queue=\d+ms$/);
});

test('H21 when every dyno refuses; a refused connect is retried on another dyno', async (t) => {
  const dead = await closedPort();
  const alive = await startBackend((_req, res) => res.end('alive'));
  const r = await startRouter({}, { random: () => 0 });
  t.after(async () => { await r.close(); await alive.close(); });
  r.router.setTable(aTable(
    anApp({ name: 'gone', dynos: [aDyno({ port: dead })] }),
    anApp({ name: 'half', dynos: [aDyno({ name: 'web.1', port: dead }), aDyno({ name: 'web.2', port: alive.port })] }),
  ));
  const res = await request(r.port, { host: 'gone.localhost' });
  assert.equal(res.status, 503);
  assert.match(await r.line(/code=H21/), /desc="Backend connection refused"/);

  for (let i = 0; i < 4; i++) {
    const ok = await request(r.port, { host: 'half.localhost', method: 'POST', body: 'payload' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'alive');
  }
  assert.equal(alive.seen.length, 4);
  assert.ok(r.lines.filter((l) => /host=half/.test(l.message)).every((l) => /dyno=web.2 .*status=200/.test(l.message)));
});

test('H19: a dyno that does not accept the connection in time', async (t) => {
  // A listening socket with a full accept backlog that never accepts: connects hang (SYNs dropped).
  const py = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => { py.stdin.end(); py.kill(); });
  const port = Number(await new Promise<string>((resolve) => py.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
  const filler = net.connect(port, '127.0.0.1');
  filler.on('error', () => {});
  t.after(() => filler.destroy());
  await new Promise((resolve) => filler.once('connect', resolve));
  const r = await startRouter({ routerConnectTimeoutMs: 200 });
  t.after(() => r.close());
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port })] })));
  const res = await request(r.port, { host: 'demo.localhost' });
  assert.equal(res.status, 503);
  assert.match(await r.line(/code=H19/), /desc="Backend connection timeout" .* dyno=web.1 connect=200ms /);
});

test('protection: oversized headers, too many headers and conflicting Content-Length/Transfer-Encoding are rejected', async (t) => {
  const backend = await startBackend((_req, res) => res.end('ok'));
  const r = await startRouter({}, { limits: { maxHeaderSize: 2048, maxHeadersCount: 20 } });
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  const raw = async (text: string) => {
    const s = net.connect(r.port, '127.0.0.1');
    s.write(text);
    let out = '';
    for await (const c of s) out += c;
    return out;
  };
  assert.match(await raw(`GET / HTTP/1.1\r\nHost: demo.localhost\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`), /^HTTP\/1.1 431/);
  const many = Array.from({ length: 30 }, (_, i) => `X-H${i}: 1\r\n`).join('');
  assert.match(await raw(`GET / HTTP/1.1\r\nHost: demo.localhost\r\n${many}Connection: close\r\n\r\n`), /^HTTP\/1.1 431/);
  assert.match(await raw('POST / HTTP/1.1\r\nHost: demo.localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), /^HTTP\/1.1 400/);
  assert.match(await raw('GET / HTTP/1.1\r\nHost: demo.localhost\r\nHost: other.localhost\r\nConnection: close\r\n\r\n'), /^HTTP\/1.1 400/);
  assert.equal(backend.seen.length, 0);
});
