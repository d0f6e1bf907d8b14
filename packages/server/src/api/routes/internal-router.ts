/**
 * The router process's two doors into the API process (not part of the Platform API):
 * - `GET /internal/router/routes`: Server-Sent Events, `event: table` with the full routing table
 *   on connect and after every change, a comment heartbeat in between.
 * - `POST /internal/router/logs`: NDJSON batches of `{"type":"log"|"router-summary"|"metric"|"dropped",…}`
 *   from the router; log lines go to the app's logplex channel, per-app 10 s summaries to
 *   `onRouterSummaries` (the metrics room), per-request metrics (older routers) to `onMetric`.
 * Both need `Authorization: Bearer <config.internalToken>`; with no token configured they refuse.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Config } from '../../config.js';
import { SlipwayError } from '../../errors.js';
import type { Logger } from '../../log/index.js';
import type { LogSink } from '../../logplex/types.js';
import { parseRouterSummary, type RouterSummary } from '../../metrics/index.js';
import type { RouteFeed } from '../../router/feed.js';
import type { RouterMetric } from '../../router/types.js';
import type { Route } from '../http/index.js';

export interface InternalRouterDeps {
  config: Pick<Config, 'internalToken'>;
  feed: Pick<RouteFeed, 'snapshot' | 'subscribe'>;
  logs: LogSink;
  onMetric?: (metric: RouterMetric) => void;
  /** A batch's per-app interval aggregates (metrics room); awaited before the batch is acknowledged. */
  onRouterSummaries?: (summaries: RouterSummary[]) => Promise<void>;
  logger?: Logger;
  heartbeatMs?: number;
}

export const MAX_LOG_BATCH_BYTES = 8 * 1024 * 1024;
const MAX_MESSAGE = 10_000;

export function internalRouterRoutes(deps: InternalRouterDeps): Route[] {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  return [
    {
      method: 'GET', path: '/internal/router/routes', auth: false, raw: true,
      async handler(ctx) {
        checkBearer(deps.config.internalToken, ctx.req);
        const { res } = ctx;
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
        res.socket?.setNoDelay(true);
        const send = (table: unknown) => res.write(`event: table\ndata: ${JSON.stringify(table)}\n\n`);
        res.write('retry: 1000\n\n');
        send(deps.feed.snapshot());
        const unsubscribe = deps.feed.subscribe(send);
        const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
        const done = () => {
          unsubscribe();
          clearInterval(heartbeat);
        };
        res.on('close', done);
        ctx.req.on('close', done);
      },
    },
    {
      method: 'POST', path: '/internal/router/logs', auth: false,
      async handler(ctx) {
        checkBearer(deps.config.internalToken, ctx.req);
        let size = 0;
        let rest = '';
        let accepted = 0;
        const summaries: RouterSummary[] = [];
        const take = (line: string) => {
          if (line.trim() === '') return;
          if (ingest(deps, line, summaries)) accepted += 1;
        };
        for await (const chunk of ctx.req) {
          size += (chunk as Buffer).length;
          if (size > MAX_LOG_BATCH_BYTES) throw new SlipwayError('payload_too_large', `Batches are limited to ${MAX_LOG_BATCH_BYTES} bytes.`);
          const lines = (rest + (chunk as Buffer).toString('utf8')).split('\n');
          rest = lines.pop() ?? '';
          lines.forEach(take);
        }
        take(rest);
        if (summaries.length > 0) await deps.onRouterSummaries?.(summaries);
        return { status: 200, body: { accepted } };
      },
    },
  ];
}

function ingest(deps: InternalRouterDeps, raw: string, summaries: RouterSummary[]): boolean {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (entry === null || typeof entry !== 'object') return false;
  if (entry.type === 'log' && typeof entry.appId === 'string') {
    const line = entry.line as { message?: unknown; time?: unknown } | undefined;
    if (typeof line?.message !== 'string') return false;
    const time = typeof line.time === 'string' ? new Date(line.time) : undefined;
    deps.logs.publish(entry.appId, {
      source: 'heroku', dyno: 'router', message: line.message.slice(0, MAX_MESSAGE),
      time: time && !Number.isNaN(time.getTime()) ? time : undefined,
    });
    return true;
  }
  if (entry.type === 'metric' && typeof entry.appId === 'string' && typeof entry.status === 'number') {
    deps.onMetric?.(entry as unknown as RouterMetric);
    return true;
  }
  if (entry.type === 'router-summary') {
    const summary = parseRouterSummary(entry);
    if (!summary) return false;
    summaries.push(summary);
    return true;
  }
  if (entry.type === 'dropped' && typeof entry.count === 'number') {
    deps.logger?.warn('router.log_entries_dropped', { count: entry.count });
    return true;
  }
  return false;
}

export function checkBearer(expected: string, req: IncomingMessage): void {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  const given = Buffer.from(m?.[1] ?? '');
  const want = Buffer.from(expected);
  if (expected === '' || given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new SlipwayError('unauthorized', 'Invalid credentials provided.');
  }
}
