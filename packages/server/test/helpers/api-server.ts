/**
 * An in-process API over real HTTP with the real SQLite store (in memory), for API tests:
 * `const api = await startTestApi(); … await api.close()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApi, type Api } from '../../src/api/index.js';
import type { Route } from '../../src/api/http/index.js';
import { createAppService, type AppService } from '../../src/apps/index.js';
import { bootstrapAdmin } from '../../src/auth/index.js';
import { testConfig, type Config } from '../../src/config.js';
import { createEventBus, type EventBus } from '../../src/events/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { LogLine, LogSink } from '../../src/logplex/types.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

/** A LogSink that keeps what was published, per app (a real sink: tests read it). */
export function createMemoryLogSink(): LogSink & { lines: (appId: string) => LogLine[] } {
  const byApp = new Map<string, LogLine[]>();
  return {
    publish(appId, line) {
      const list = byApp.get(appId) ?? [];
      list.push({ ...line, time: line.time ?? new Date() });
      byApp.set(appId, list);
    },
    lines: (appId) => byApp.get(appId) ?? [],
  };
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface TestApi {
  url: string;
  adminToken: string;
  config: Config;
  store: Store;
  events: EventBus;
  apps: AppService;
  logs: ReturnType<typeof createMemoryLogSink>;
  api: Api;
  request(method: string, p: string, opts?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  /** Creates a user through `POST /users` and returns its token. */
  user(email: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Where `startTestApi` puts its store when no `databaseUrl` is given: undefined = in-memory SQLite.
 * The PostgreSQL run of the API suites (`api/api.pg.test.ts`) sets a function that returns a fresh
 * database URL (a new schema) for every API it starts.
 */
let defaultDatabaseUrl: (() => Promise<string>) | undefined;
export function useTestApiDatabase(fresh: (() => Promise<string>) | undefined): void {
  defaultDatabaseUrl = fresh;
}

/** Routes of other rooms, given directly or built over the test API's store and app service. */
export type ExtraRoutes = Route[] | ((deps: { store: Store; apps: AppService; events: EventBus }) => Route[]);

export async function startTestApi(opts: { config?: Partial<Config>; extraRoutes?: ExtraRoutes; databaseUrl?: string } = {}): Promise<TestApi> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-api-'));
  const config = testConfig({ dataDir, apiRateLimit: 0, adminToken: 'test-admin-token-0123456789', ...opts.config });
  const databaseUrl = opts.databaseUrl ?? (defaultDatabaseUrl ? await defaultDatabaseUrl() : 'sqlite::memory:');
  const store = await createStore({ databaseUrl, dataDir, logger: silentLogger });
  const events = createEventBus();
  const logs = createMemoryLogSink();
  const boot = await bootstrapAdmin({ store, config, logger: silentLogger });
  const adminToken = boot.token ?? config.adminToken;
  const apps = createAppService({ store, events, logs, config, logger: silentLogger });
  const extraRoutes = typeof opts.extraRoutes === 'function' ? opts.extraRoutes({ store, apps, events }) : opts.extraRoutes;
  const api = createApi({ config, store, events, logs, apps, logger: silentLogger, extraRoutes });
  const server = await api.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const request: TestApi['request'] = async (method, p, o = {}) => {
    const headers: Record<string, string> = { Accept: 'application/vnd.heroku+json; version=3', ...o.headers };
    const token = o.token === undefined ? adminToken : o.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (o.rawBody !== undefined) payload = o.rawBody;
    else if (o.body !== undefined) payload = JSON.stringify(o.body);
    if (payload !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
    const res = await fetch(url + p, { method, headers, body: payload });
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body };
  };

  return {
    url, adminToken, config, store, events, apps, logs, api, request,
    async user(email) {
      const r = await request('POST', '/users', { body: { email } });
      if (r.status !== 201) throw new Error(`creating ${email}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    async close() {
      await api.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
