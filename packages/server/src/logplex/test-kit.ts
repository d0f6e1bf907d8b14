/**
 * Builders and real receivers for the logplex's tests: a SQLite store in memory, temp data dirs,
 * a syslog (TCP/TLS, octet-counted) receiver, an HTTP(S) drain receiver and an SSE reader.
 * Everything listens on port 0 and is closed by the returned `close()`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { testConfig, type Config } from '../config.js';
import { silentLogger } from '../log/index.js';
import { createStore } from '../store/index.js';
import type { AppRecord, Store } from '../store/types.js';
import { createLogplex, type LogplexOptions, type LogplexService } from './logplex.js';
import { parseOctetFrames } from './syslog-frame.js';

type TestCtx = { after(fn: () => Promise<void>): void };
const cleanups = new WeakMap<TestCtx, (() => Promise<void>)[]>();

/** Registers a cleanup; a test's cleanups run last-in first-out (a logplex stops before its dir goes). */
export function defer(t: TestCtx, fn: () => Promise<void>): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const fresh: (() => Promise<void>)[] = [];
    cleanups.set(t, (stack = fresh));
    t.after(async () => {
      for (const f of fresh.reverse()) await f();
    });
  }
  stack.push(fn);
}

export async function tempDir(t: TestCtx): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'slipway-logplex-'));
  defer(t, () => fs.rm(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}

export async function aStore(t: TestCtx): Promise<Store> {
  const store = await createStore({ databaseUrl: 'sqlite::memory:', dataDir: os.tmpdir(), logger: silentLogger });
  defer(t, () => store.close());
  return store;
}

let counter = 0;
export async function anApp(store: Store, name = `app-${process.pid}-${++counter}`): Promise<AppRecord> {
  const owner = (await store.users.findByEmail('owner@example.com')) ?? (await store.users.create({ email: 'owner@example.com', admin: true }));
  return store.apps.create({ name, ownerId: owner.id, region: 'us', stack: 'heroku-24', maintenance: false, preboot: false, releasedAt: null });
}

/** A started logplex on a temp data dir; stopped after the test. */
export async function aLogplex(
  t: TestCtx,
  opts: { store: Store; dataDir?: string; config?: Partial<Config>; options?: Partial<LogplexOptions>; clock?: () => number },
): Promise<LogplexService> {
  const dataDir = opts.dataDir ?? (await tempDir(t));
  const logplex = createLogplex({ config: testConfig({ dataDir, ...opts.config }), store: opts.store, logger: silentLogger, dataDir, clock: opts.clock, options: opts.options });
  await logplex.start();
  defer(t, () => logplex.stop());
  return logplex;
}

/** Polls `check` until it returns truthy or the deadline passes (no timing assertions). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface SyslogReceiver {
  port: number;
  messages: string[];
  connections: number;
  close(): Promise<void>;
}

/** A real syslog receiver: TCP (or TLS) with RFC 6587 octet-counting framing. */
export async function startSyslogReceiver(opts: { port?: number; tls?: tls.TlsOptions } = {}): Promise<SyslogReceiver> {
  const sockets = new Set<net.Socket>();
  const rec: SyslogReceiver = { port: 0, messages: [], connections: 0, close: async () => {} };
  const onSocket = (socket: net.Socket) => {
    rec.connections++;
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { messages, rest } = parseOctetFrames(Buffer.concat([pending, chunk]));
      rec.messages.push(...messages);
      pending = Buffer.from(rest);
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const server = opts.tls ? tls.createServer(opts.tls, onSocket) : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  rec.port = (server.address() as net.AddressInfo).port;
  rec.close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return rec;
}

export interface HttpDrainRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  url: string;
  requests: HttpDrainRequest[];
  /** Status to answer (default 200); a function can delay or vary it. */
  respond: (req: HttpDrainRequest) => number | Promise<number>;
  close(): Promise<void>;
}

export async function startHttpReceiver(opts: { tls?: tls.TlsOptions } = {}): Promise<HttpReceiver> {
  const rec: HttpReceiver = { url: '', requests: [], respond: () => 200, close: async () => {} };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      Promise.resolve(rec.respond(r)).then((status) => {
        if (status < 300) rec.requests.push(r);
        res.writeHead(status).end();
      }, () => res.destroy());
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  rec.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  rec.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return rec;
}

/** A self-signed certificate for 127.0.0.1/localhost made with the real openssl, or undefined. */
export async function selfSignedCert(dir: string): Promise<{ key: string; cert: string } | undefined> {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  if (r.status !== 0) return undefined;
  return { key: await fs.readFile(key, 'utf8'), cert: await fs.readFile(cert, 'utf8') };
}

/** A free port number (listen on 0, close). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
