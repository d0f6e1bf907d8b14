/**
 * The router process's side of the route feed: follows `GET /internal/router/routes` (SSE) and
 * hands every table to `onTable`. When the API is away it reconnects with backoff; the router
 * keeps serving with the last table meanwhile.
 */
import http from 'node:http';
import { createParser } from 'eventsource-parser';
import type { Logger } from '../log/index.js';
import type { RoutingTable } from './types.js';

export interface FeedClientDeps {
  /** Base URL of the API, e.g. `http://127.0.0.1:5000`. */
  apiUrl: string;
  /** The internal token, or a getter read on every connect (an adopted router learns a new one). */
  token: string | (() => string);
  logger: Logger;
  onTable(table: RoutingTable): void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface FeedClient {
  start(): void;
  stop(): void;
  readonly connected: boolean;
}

export const ROUTES_PATH = '/internal/router/routes';


export function createFeedClient(deps: FeedClientDeps): FeedClient {
  const minBackoff = deps.minBackoffMs ?? 100;
  const maxBackoff = deps.maxBackoffMs ?? 2_000;
  let backoff = minBackoff;
  let req: http.ClientRequest | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let connected = false;

  const retry = (why: string) => {
    if (connected) deps.logger.warn('router_feed.disconnected', { why });
    connected = false;
    req = undefined;
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(connect, backoff);
    backoff = Math.min(maxBackoff, backoff * 2);
  };

  function connect() {
    if (stopped) return;
    const url = new URL(ROUTES_PATH, deps.apiUrl);
    const token = typeof deps.token === 'function' ? deps.token() : deps.token;
    const r = http.get(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        deps.logger.warn('router_feed.refused', { status: res.statusCode });
        retry(`status ${res.statusCode}`);
        return;
      }
      connected = true;
      backoff = minBackoff;
      deps.logger.info('router_feed.connected', { url: url.origin });
      const events = createParser({
        onEvent({ event, data }) {
          if (event !== 'table') return;
          try {
            deps.onTable(JSON.parse(data) as RoutingTable);
          } catch (err) {
            deps.logger.error('router_feed.bad_table', { error: String(err) });
          }
        },
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => events.feed(chunk));
      res.on('close', () => {
        if (req === r) retry('stream ended');
      });
    });
    r.on('error', (err) => {
      if (req === r) retry(err.message);
    });
    req = r;
  }

  return {
    start() {
      stopped = false;
      connect();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      const r = req;
      req = undefined;
      r?.destroy();
      connected = false;
    },
    get connected() {
      return connected;
    },
  };
}
