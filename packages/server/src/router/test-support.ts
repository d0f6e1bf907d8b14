/**
 * Builders and small real servers for the router's tests: `anApp`, `aDyno`, backends that stand
 * in for dynos (real HTTP servers on random ports), a client helper and a deadline poller.
 * Not imported by production code.
 */
import http from 'node:http';
import type net from 'node:net';
import { testConfig } from '../config.js';
import { silentLogger } from '../log/index.js';
import { createRouter, type Router, type RouterConfig, type RouterDeps } from './router.js';
import type { RouterApp, RouterDyno, RouterMetric, RoutingTable } from './types.js';

export function aDyno(over: Partial<RouterDyno> & { port?: number | null } = {}): RouterDyno {
  return { name: 'web.1', state: 'up', host: '127.0.0.1', port: null, ...over };
}

export function anApp(over: Partial<RouterApp> = {}): RouterApp {
  const name = over.name ?? 'demo';
  return {
    appId: `id-${name}`, name, hostnames: [`${name}.localhost`], maintenance: false, concurrency: null, dynos: [],
    ...over,
  };
}

let version = 0;
export function aTable(...apps: RouterApp[]): RoutingTable {
  return { version: ++version, apps };
}

export interface Backend {
  port: number;
  server: http.Server;
  /** Requests seen, in order. */
  seen: http.IncomingMessage[];
  /** Remote ports of the TCP connections accepted (keep-alive reuse). */
  connections: number[];
  close(): Promise<void>;
}

/** A real HTTP server standing in for a dyno. */
export async function startBackend(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Backend> {
  const seen: http.IncomingMessage[] = [];
  const connections: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(req);
    handler(req, res);
  });
  server.on('connection', (s: net.Socket) => {
    connections.push(s.remotePort ?? 0);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    server, seen, connections,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the router; resolves with the whole response. */
export function request(port: number, opts: { host: string; path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: opts.path ?? '/', method: opts.method ?? 'GET',
      headers: { Host: opts.host, ...opts.headers }, agent: opts.agent ?? false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port with nothing listening on it (connect is refused). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface RouterHarness {
  router: Router;
  port: number;
  lines: { appId: string; message: string }[];
  metrics: RouterMetric[];
  /** The first log line matching `re`, waited for. */
  line(re: RegExp): Promise<string>;
  close(): Promise<void>;
}

export async function startRouter(config: Partial<RouterConfig> = {}, extra: Partial<RouterDeps> = {}): Promise<RouterHarness> {
  const lines: { appId: string; message: string }[] = [];
  const metrics: RouterMetric[] = [];
  const router = createRouter({
    config: { ...testConfig(), ...config },
    logger: silentLogger,
    onLog: (e) => lines.push({ appId: e.appId, message: e.line.message }),
    onMetric: (m) => metrics.push(m),
    ...extra,
  });
  const { port } = await router.listen(0, '127.0.0.1');
  return {
    router, port, lines, metrics,
    line: (re) => until(() => lines.find((l) => re.test(l.message))?.message, `a log line matching ${re}`),
    close: () => router.close(),
  };
}
