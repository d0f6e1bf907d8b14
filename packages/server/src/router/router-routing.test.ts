import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { aDyno, anApp, aTable, request, startBackend, startRouter, until } from './test-support.js';

const echoName = (name: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => res.end(name);

test('routes by host, custom domain, any case and port; unknown hosts get a 404 that names no app', async (t) => {
  const a = await startBackend(echoName('alpha'));
  const b = await startBackend(echoName('beta'));
  const r = await startRouter();
  t.after(async () => { await r.close(); await a.close(); await b.close(); });
  r.router.setTable(aTable(
    anApp({ name: 'alpha', dynos: [aDyno({ port: a.port })] }),
    anApp({ name: 'beta', hostnames: ['beta.localhost', 'www.example.com'], dynos: [aDyno({ port: b.port })] }),
  ));
  assert.equal((await request(r.port, { host: 'alpha.localhost' })).body, 'alpha');
  assert.equal((await request(r.port, { host: 'ALPHA.LocalHost:8080' })).body, 'alpha');
  assert.equal((await request(r.port, { host: 'www.example.com' })).body, 'beta');
  assert.equal((await request(r.port, { host: 'www.example.com.' })).body, 'beta');
  const missing = await request(r.port, { host: 'nope.localhost' });
  assert.equal(missing.status, 404);
  assert.match(missing.body, /no app configured at that hostname/);
  assert.doesNotMatch(missing.body, /alpha|beta/);
  const line = await r.line(/host=alpha.localhost/);
  assert.match(line, /^at=info method=GET path="\/" host=alpha.localhost request_id=\S+ fwd="127.0.0.1" dyno=web.1 connect=\d+ms service=\d+ms status=200 bytes=5 protocol=http queue=\d+ms$/);
});

test('a new table takes effect at once, without a restart', async (t) => {
  const a = await startBackend(echoName('one'));
  const b = await startBackend(echoName('two'));
  const r = await startRouter();
  t.after(async () => { await r.close(); await a.close(); await b.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: a.port })] })));
  assert.equal((await request(r.port, { host: 'demo.localhost' })).body, 'one');
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ name: 'web.2', port: b.port })] })));
  assert.equal((await request(r.port, { host: 'demo.localhost' })).body, 'two');
  r.router.setTable(aTable());
  assert.equal((await request(r.port, { host: 'demo.localhost' })).status, 404);
});

test('adds X-Request-Id, X-Forwarded-*, X-Request-Start and Via; drops hop-by-hop headers both ways', async (t) => {
  const backend = await startBackend((_req, res) => {
    res.setHeader('X-Secret-Hop', 'x');
    res.setHeader('Connection', 'X-Secret-Hop');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.end('ok');
  });
  const r = await startRouter();
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  const before = Date.now();
  const validId = 'abcdefghij0123456789+/=-';
  const res = await request(r.port, {
    host: 'demo.localhost',
    headers: { 'X-Request-Id': validId, 'X-Forwarded-For': '10.0.0.1', 'Connection': 'X-Drop-Me', 'X-Drop-Me': '1', 'Proxy-Authorization': 'x', 'TE': 'trailers', 'Keep-Alive': 'timeout=5' },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-secret-hop'], undefined);
  assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(res.headers.via, '1.1 slipway');
  const seen = backend.seen[0].headers;
  assert.equal(seen['x-request-id'], validId);
  assert.equal(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
  assert.equal(seen['x-forwarded-proto'], 'http');
  assert.equal(seen['x-forwarded-port'], String(r.port));
  assert.ok(Number(seen['x-request-start']) >= before && Number(seen['x-request-start']) <= Date.now());
  assert.equal(seen.via, '1.1 slipway');
  assert.equal(seen.host, 'demo.localhost');
  for (const h of ['x-drop-me', 'proxy-authorization', 'te', 'keep-alive']) assert.equal(seen[h], undefined, h);
  await r.line(new RegExp(`request_id=${validId.replace(/[+/=]/g, '\\$&')} fwd="10.0.0.1, 127.0.0.1"`));

  await request(r.port, { host: 'demo.localhost', headers: { 'X-Request-Id': 'too short' } });
  const generated = backend.seen[1].headers['x-request-id'] as string;
  assert.match(generated, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
  await r.line(new RegExp(`request_id=${generated}`));
});

test('keeps connections alive on both sides and reuses pooled dyno connections', async (t) => {
  const backend = await startBackend((_req, res) => res.end('ok'));
  const r = await startRouter();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(async () => { agent.destroy(); await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  const clientPorts = new Set<number>();
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: r.port, headers: { Host: 'demo.localhost' }, agent }, (res) => {
        clientPorts.add(res.socket.localPort ?? 0);
        res.resume().on('end', resolve);
      }).on('error', reject);
    });
  }
  assert.equal(backend.seen.length, 5);
  assert.equal(backend.connections.length, 1, 'one upstream connection for five requests');
  assert.equal(clientPorts.size, 1, 'one client connection for five requests');
});

test('streams responses and chunked request bodies without waiting for the end', async (t) => {
  let finishResponse: () => void = () => {};
  const backend = await startBackend((req, res) => {
    if (req.url === '/echo') {
      req.pipe(res);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('first;');
    finishResponse = () => res.end('last');
  });
  const r = await startRouter();
  t.after(async () => { finishResponse(); await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));

  const body = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: r.port, path: '/stream', headers: { Host: 'demo.localhost' }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
        if (text === 'first;') finishResponse();
      });
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  assert.equal(body, 'first;last');

  const echoed = await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: r.port, path: '/echo', method: 'POST', headers: { Host: 'demo.localhost', 'Transfer-Encoding': 'chunked' }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
        if (text === 'ping;') req.end('pong');
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.write('ping;');
  });
  assert.equal(echoed, 'ping;pong');
});

test('Expect: 100-continue is relayed from the dyno before the client sends its body', async (t) => {
  const backend = await startBackend((req, res) => req.pipe(res));
  const r = await startRouter();
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  let continued = false;
  const body = await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: r.port, method: 'PUT', path: '/', headers: { Host: 'demo.localhost', Expect: '100-continue', 'Content-Length': '5' }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('continue', () => {
      continued = true;
      req.end('hello');
    });
    req.on('error', reject);
  });
  assert.equal(continued, true);
  assert.equal(body, 'hello');
  assert.equal(backend.seen[0].headers.expect, '100-continue');
});

test('WebSocket upgrades are tunnelled: a frame is echoed back through the router', async (t) => {
  const backend = await startBackend((_req, res) => res.end('not a websocket'));
  backend.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nX-Seen-Via: ${req.headers.via}\r\n\r\n`);
    socket.on('data', (frame: Buffer) => socket.write(unmaskToServerFrame(frame)));
  });
  const r = await startRouter();
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));

  const key = Buffer.from('0123456789abcdef').toString('base64');
  const { res, socket } = await new Promise<{ res: http.IncomingMessage; socket: net.Socket }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: r.port, path: '/cable', headers: { Host: 'demo.localhost', Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' }, agent: false });
    req.on('upgrade', (res, socket) => resolve({ res, socket }));
    req.on('error', reject);
    req.end();
  });
  t.after(() => socket.destroy());
  assert.equal(res.statusCode, 101);
  assert.equal(res.headers['sec-websocket-accept'], createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));
  assert.equal(res.headers['x-seen-via'], '1.1 slipway');
  const echoed = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.write(maskedTextFrame('hello socket'));
  const frame = await echoed;
  assert.equal(frame[0], 0x81);
  assert.equal(frame.subarray(2).toString(), 'hello socket');
  await r.line(/status=101/);
  await until(() => r.router.stats('id-demo')?.dynos[0].outstanding === 0, 'the handshake to release its dyno');
});

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

function unmaskToServerFrame(frame: Buffer): Buffer {
  const len = frame[1] & 0x7f;
  const mask = frame.subarray(2, 6);
  const payload = Buffer.from(frame.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([0x81, len]), payload]);
}

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 97);

/** Resolves true on 'drain', false when none came within `ms` (the other side stopped reading). */
const drainedWithin = (stream: NodeJS.EventEmitter, ms: number) => new Promise<boolean>((resolve) => {
  const timer = setTimeout(() => { stream.off('drain', onDrain); resolve(false); }, ms);
  const onDrain = () => { clearTimeout(timer); resolve(true); };
  stream.once('drain', onDrain);
});

test('a 100 MB upload and download stream through with backpressure, never buffered whole', async (t) => {
  let readUpload: () => void = () => {};
  let produced = 0;
  let producerStalled = false;
  const backend = await startBackend((req, res) => {
    if (req.method === 'POST') {
      req.pause();
      let received = 0;
      readUpload = () => {
        req.on('data', (c: Buffer) => (received += c.length));
        req.on('end', () => res.end(String(received)));
        req.resume();
      };
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    const pump = () => {
      while (produced < 100 * MB) {
        produced += CHUNK.length;
        if (!res.write(CHUNK)) {
          producerStalled = true;
          res.once('drain', () => { producerStalled = false; pump(); });
          return;
        }
      }
      res.end();
    };
    pump();
  });
  const r = await startRouter();
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));

  // Upload: the dyno does not read yet, so the client soon cannot write any more.
  const upload = http.request({ host: '127.0.0.1', port: r.port, method: 'POST', path: '/up', headers: { Host: 'demo.localhost', 'Content-Length': String(100 * MB) }, agent: false });
  const uploadReply = new Promise<string>((resolve, reject) => {
    upload.on('response', (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => resolve(b)); });
    upload.on('error', reject);
  });
  let sent = 0;
  for (;;) {
    sent += CHUNK.length;
    if (!upload.write(CHUNK) && !(await drainedWithin(upload, 500))) break;
    assert.ok(sent < 40 * MB, 'the router keeps accepting upload bytes the dyno does not read');
  }
  readUpload();
  while (sent < 100 * MB) {
    sent += CHUNK.length;
    if (!upload.write(CHUNK)) await new Promise((resolve) => upload.once('drain', resolve));
  }
  upload.end();
  assert.equal(await uploadReply, String(100 * MB));

  // Download: the client does not read yet, so the dyno soon cannot write any more.
  const download = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: r.port, path: '/down', headers: { Host: 'demo.localhost' }, agent: false }, resolve).on('error', reject);
  });
  download.pause();
  await until(() => producerStalled, 'the dyno to feel backpressure');
  let last = -1;
  await until(async () => {
    const steady = produced === last;
    last = produced;
    await new Promise((resolve) => setTimeout(resolve, 200));
    return steady && producerStalled;
  }, 'the dyno to stop producing');
  assert.ok(produced < 40 * MB, `the dyno produced ${produced} bytes the client did not read`);
  let received = 0;
  download.on('data', (c: Buffer) => (received += c.length));
  download.resume();
  await new Promise((resolve) => download.on('end', resolve));
  assert.equal(received, 100 * MB);
  await r.line(/method=GET path="\/down" .* status=200 bytes=104857600 /);
});

test('a pooled connection the dyno closed is retried for a bodiless request instead of failing with H13', async (t) => {
  const perSocket = new WeakMap<object, number>();
  const backend = await startBackend((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1) req.socket.destroy();
    else res.end('fresh');
  });
  const r = await startRouter();
  t.after(async () => { await r.close(); await backend.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: backend.port })] })));
  assert.equal((await request(r.port, { host: 'demo.localhost' })).body, 'fresh');
  const second = await request(r.port, { host: 'demo.localhost' });
  assert.equal(second.status, 200);
  assert.equal(second.body, 'fresh');
  assert.equal(backend.connections.length, 2);
  assert.equal(r.lines.filter((l) => /code=H13/.test(l.message)).length, 0);
});
