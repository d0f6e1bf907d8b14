/**
 * The Platform API: the core routes plus the ones other rooms pass in, served by the shared HTTP
 * core (`api/http`) with token auth. `listen()` is the network listener main.ts starts last.
 */
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { AppService } from '../apps/index.js';
import { createAuth, type Auth } from '../auth/index.js';
import type { Config } from '../config.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import type { Store } from '../store/types.js';
import { createApiHandler, RouteTable, type Route } from './http/index.js';
import { createRateLimiter } from './rate-limit.js';
import { createApiListener, type ApiListener } from './tls/index.js';
import { apiRoutes } from './routes/index.js';

export type { RouteDeps } from './routes/index.js';
export { loadApp, requireAdmin } from './routes/index.js';
export { parseRange, paginate, formatNextRange, type RangeSpec } from './range.js';
export { body, check } from './validate.js';

export interface ApiDeps {
  config: Config;
  store: Store;
  events: EventBus;
  logs: LogSink;
  apps: AppService;
  logger: Logger;
  /** Routes of other rooms; they are matched before the core's. */
  extraRoutes?: Route[];
  auth?: Auth;
  /** Requests that are not API calls (git smart HTTP) are offered here first. */
  preRoute?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
  buildOutputUrl?: (appId: string, buildId: string) => string;
}

export interface Api {
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  auth: Auth;
  /** Every route served (method and path pattern), in matching order. */
  routes(): { method: string; path: string }[];
  /** With `tls`, the port serves HTTPS too (same handler): see `api/tls`. */
  listen(port: number, host?: string, opts?: { tls?: { key: string; cert: string } }): Promise<net.Server>;
  close(): Promise<void>;
}

export function createApi(deps: ApiDeps): Api {
  const auth = deps.auth ?? createAuth({ store: deps.store });
  const routes = new RouteTable([
    ...(deps.extraRoutes ?? []),
    ...apiRoutes({ config: deps.config, store: deps.store, apps: deps.apps, auth, logger: deps.logger, buildOutputUrl: deps.buildOutputUrl }),
  ]);
  const limiter = createRateLimiter({ limit: deps.config.apiRateLimit });
  const responses = new WeakMap<http.IncomingMessage, http.ServerResponse>();
  const inner = createApiHandler({
    routes,
    logger: deps.logger,
    preRoute: deps.preRoute,
    async authenticate(req) {
      const user = await auth.authenticate(req);
      if (user) {
        const remaining = limiter.take(user.id);
        if (Number.isFinite(remaining)) responses.get(req)?.setHeader('RateLimit-Remaining', String(remaining));
      }
      return user;
    },
  });
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    responses.set(req, res);
    inner(req, res);
  };
  let listener: ApiListener | undefined;
  return {
    handler,
    auth,
    routes: () => routes.list(),
    async listen(port, host, opts = {}) {
      const c = deps.config;
      const l = createApiListener({
        handler, tls: opts.tls, logger: deps.logger,
        // No whole-request deadline (a git push may take long); headers, body silence and idle
        // keep-alive connections are bounded instead.
        serverOptions: {
          keepAliveTimeout: c.apiIdleTimeoutMs, headersTimeout: c.apiHeadersTimeoutMs, requestTimeout: 0,
          connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(c.apiHeadersTimeoutMs / 4))),
        },
        bodyIdleTimeoutMs: c.apiBodyIdleTimeoutMs, maxConnectionsPerIp: c.apiMaxConnectionsPerIp,
      });
      const s = await l.listen(port, host);
      listener = l;
      const addr = s.address() as AddressInfo;
      deps.logger.info('api.listening', { host: addr.address, port: addr.port, https: l.secure });
      return s;
    },
    async close() {
      const l = listener;
      listener = undefined;
      await l?.close();
    },
  };
}
