/**
 * A small real HTTP server for command tests (heroku/cli + nock style): each expected call is
 * declared with its reply; an unexpected call gets a 501 and fails `assertDone()`, and so does an
 * expected call that never happened. Every request is recorded with its headers and JSON body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach } from 'node:test';

export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Responder = Reply | ((req: RecordedRequest) => Reply);
type RawHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Expectation {
  method: string;
  path: string;
  reply?: Responder;
  raw?: RawHandler;
  used: boolean;
}

export interface MockApi {
  url: string;
  requests: RecordedRequest[];
  /** Expect `method path` (path without query, or with it for an exact match) once. */
  expect(method: string, path: string, reply?: Responder): MockApi;
  /** Expect a call answered by a raw handler (streams, SSE). */
  expectRaw(method: string, path: string, handler: RawHandler): MockApi;
  /** The recorded request for `method path` (the first one). */
  find(method: string, path: string): RecordedRequest | undefined;
  assertDone(): void;
  close(): Promise<void>;
}

export async function startMockApi(): Promise<MockApi> {
  const expectations: Expectation[] = [];
  const requests: RecordedRequest[] = [];
  const unexpected: string[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      if (rawBody !== '') {
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = rawBody;
        }
      }
      const path = req.url ?? '/';
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, rawBody, body };
      requests.push(recorded);
      const pathname = path.split('?')[0];
      const exp = expectations.find((e) => !e.used && e.method === recorded.method && (e.path === path || e.path === pathname));
      if (!exp) {
        unexpected.push(`${recorded.method} ${path}`);
        res.writeHead(501, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 'unexpected', message: `Unexpected request ${recorded.method} ${path}` }));
        return;
      }
      exp.used = true;
      if (exp.raw) return exp.raw(req, res);
      const reply = typeof exp.reply === 'function' ? exp.reply(recorded) : (exp.reply ?? {});
      const status = reply.status ?? 200;
      const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers });
      res.end(text);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const api: MockApi = {
    url: `http://127.0.0.1:${port}`,
    requests,
    expect(method, path, reply) {
      expectations.push({ method, path, reply, used: false });
      return api;
    },
    expectRaw(method, path, raw) {
      expectations.push({ method, path, raw, used: false });
      return api;
    },
    find(method, path) {
      return requests.find((r) => r.method === method && (r.path === path || r.path.split('?')[0] === path));
    },
    assertDone() {
      assert.deepEqual(unexpected, [], 'unexpected API calls');
      const missing = expectations.filter((e) => !e.used).map((e) => `${e.method} ${e.path}`);
      assert.deepEqual(missing, [], 'expected API calls that did not happen');
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

/**
 * A fresh mock API for every test of the file (started before each test, closed after): returns
 * a stand-in that forwards to the current one, so tests write `api.expect(...)`, `api.url`.
 */
export function useMockApi(): MockApi {
  let current: MockApi | undefined;
  beforeEach(async () => {
    current = await startMockApi();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as MockApi, {
    get(_target, key) {
      if (!current) throw new Error('the mock API exists only inside a test');
      const value = Reflect.get(current, key) as unknown;
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}

/** Runs the file's tests in the time zone `tz` (the CLI prints local times, as Heroku's does). */
export function useTimezone(tz: string): void {
  let saved: string | undefined;
  before(() => {
    saved = process.env.TZ;
    process.env.TZ = tz;
  });
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
