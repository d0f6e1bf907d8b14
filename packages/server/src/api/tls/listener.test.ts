import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { silentLogger } from '../../log/index.js';
import { createApiListener, ensureCertificate, protocolOf, type ApiListener, type TlsMaterial } from './index.js';

let dir: string;
let material: TlsMaterial;
let listener: ApiListener;
let port: number;

/** Answers with what it saw: protocol, method, body size and sha256, and the local port. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const hash = createHash('sha256');
  let size = 0;
  req.on('data', (c: Buffer) => { size += c.length; hash.update(c); });
  req.on('end', () => {
    const body = JSON.stringify({
      encrypted: Boolean((req.socket as tls.TLSSocket).encrypted), method: req.method, url: req.url, size,
      sha: hash.digest('hex'), localPort: req.socket.localPort,
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-listener-'));
  const made = await ensureCertificate({ dataDir: dir, domain: 'localhost', logger: silentLogger });
  assert.ok(made, 'openssl is needed for this test');
  material = made;
  listener = createApiListener({ handler, tls: material, logger: silentLogger, serverOptions: { keepAliveTimeout: 65_000, requestTimeout: 0 } });
  const server = await listener.listen(0, '127.0.0.1');
  port = (server.address() as net.AddressInfo).port;
});
after(async () => {
  await listener?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Seen { encrypted: boolean; method: string; url: string; size: number; sha: string; localPort: number }

function call(proto: 'http' | 'https', opts: { method?: string; path?: string; host?: string; body?: Buffer; agent?: http.Agent; chunkSize?: number } = {}): Promise<{ status: number; seen: Seen }> {
  const mod = proto === 'https' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: opts.host ?? 'localhost', port, method: opts.method ?? 'GET', path: opts.path ?? '/', agent: opts.agent,
      ...(proto === 'https' ? { ca: material.cert, servername: opts.host === '127.0.0.1' ? undefined : (opts.host ?? 'localhost') } : {}),
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, seen: JSON.parse(text) as Seen }));
    });
    req.on('error', reject);
    if (!opts.body) return void req.end();
    // Write the body in pieces so it arrives over many TCP reads.
    const size = opts.chunkSize ?? 64 * 1024;
    let offset = 0;
    const pump = (): void => {
      while (offset < opts.body!.length) {
        const piece = opts.body!.subarray(offset, offset + size);
        offset += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

test('protocolOf: 0x16 (TLS handshake) is TLS, anything else HTTP', () => {
  assert.equal(protocolOf(0x16), 'tls');
  for (const ch of 'GPDHOC') assert.equal(protocolOf(ch.charCodeAt(0)), 'http');
  assert.equal(protocolOf(0), 'http');
});

test('HTTP and HTTPS on the same port reach the same handler; the certificate verifies for localhost and 127.0.0.1', async () => {
  const plain = await call('http', { path: '/apps' });
  assert.deepEqual([plain.status, plain.seen.encrypted, plain.seen.url], [200, false, '/apps']);
  const secure = await call('https', { path: '/apps' });
  assert.deepEqual([secure.status, secure.seen.encrypted, secure.seen.url], [200, true, '/apps']);
  assert.equal(secure.seen.localPort, port, 'req.socket.localPort is the API port over TLS too (git hook URLs use it)');
  const byIp = await call('https', { host: '127.0.0.1' });
  assert.equal(byIp.seen.encrypted, true);
});

test('large request bodies arrive intact over both protocols (many reads after the peeked one)', async () => {
  const body = Buffer.alloc(6 * 1024 * 1024);
  for (let i = 0; i < body.length; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i);
  const sha = createHash('sha256').update(body).digest('hex');
  for (const proto of ['http', 'https'] as const) {
    const r = await call(proto, { method: 'POST', body, chunkSize: 7919 });
    assert.equal(r.seen.size, body.length, proto);
    assert.equal(r.seen.sha, sha, proto);
  }
});

test('keep-alive: several requests on one connection, for each protocol', async () => {
  for (const proto of ['http', 'https'] as const) {
    const agent = new (proto === 'https' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    agent.on('free', (socket: net.Socket) => ports.add(socket.localPort ?? -1));
    try {
      for (let i = 0; i < 4; i++) {
        const r = await call(proto, { method: 'POST', path: `/n/${i}`, body: Buffer.from(`request ${i}`), agent });
        assert.equal(r.seen.url, `/n/${i}`);
        assert.equal(r.seen.encrypted, proto === 'https');
      }
      assert.equal(ports.size, 1, `${proto}: one client socket reused`);
    } finally {
      agent.destroy();
    }
  }
});

test('a client that connects and leaves, or sends a bad handshake, does not disturb the listener', async () => {
  await new Promise<void>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.end());
    s.resume();
    s.on('close', () => resolve());
  });
  await new Promise<void>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])));
    s.resume();
    s.on('error', () => undefined);
    s.on('close', () => resolve());
  });
  const r = await call('https');
  assert.equal(r.status, 200);
});

test('an untrusted client sees the self-signed certificate rejected (TLS really is verified)', async () => {
  await assert.rejects(new Promise((resolve, reject) => {
    const req = https.request({ host: 'localhost', port, path: '/' }, resolve);
    req.on('error', reject);
    req.end();
  }), /self[- ]signed/i);
});

test('close() ends open keep-alive connections of both protocols', async () => {
  const extra = createApiListener({ handler, tls: material, logger: silentLogger });
  const server = await extra.listen(0, '127.0.0.1');
  const extraPort = (server.address() as net.AddressInfo).port;
  const closed: Promise<void>[] = [];
  for (const mod of [http, https]) {
    const agent = new mod.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      const req = mod.request({ host: 'localhost', port: extraPort, path: '/', agent, ca: material.cert }, (res) => {
        closed.push(new Promise((r) => res.socket.once('close', () => r())));
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
  }
  await extra.close();
  await Promise.all(closed);
  assert.equal(server.listening, false);
});

test('headersTimeout applies to both protocols (slow clients are cut off)', async () => {
  const slow = createApiListener({ handler, tls: material, logger: silentLogger, serverOptions: { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 } });
  const server = await slow.listen(0, '127.0.0.1');
  const slowPort = (server.address() as net.AddressInfo).port;
  try {
    // Resolves with what the server sent before closing; gives up (with '') after a generous deadline.
    const cutOff = (socket: net.Socket): Promise<string> => new Promise((resolve) => {
      let got = '';
      const deadline = setTimeout(() => socket.destroy(), 30_000);
      socket.once('close', () => clearTimeout(deadline));
      socket.on('data', (d: Buffer) => (got += d.toString('utf8')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(got));
    });
    const plainSocket = net.connect(slowPort, '127.0.0.1', () => plainSocket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
    const tlsSocket = tls.connect({ port: slowPort, host: 'localhost', ca: material.cert }, () => tlsSocket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
    const [plainGot, tlsGot] = await Promise.all([cutOff(plainSocket), cutOff(tlsSocket)]);
    assert.match(plainGot, /^HTTP\/1\.1 408/);
    assert.match(tlsGot, /^HTTP\/1\.1 408/);
  } finally {
    await slow.close();
  }
});
