/**
 * Metrics (Slipway extension; docs/metrics.md):
 * - `GET /apps/:app/metrics` — the metric names.
 * - `GET /apps/:app/metrics/:name?start=&end=&step=&process_type=` — a series: `start`/`end` ISO-8601
 *   times or epoch ms (default: the last hour), `step` seconds (`60`) or `10s`/`1m`/`10m`/`1h`
 *   (default 1 min); `name` `events` lists the app's events in the window.
 * - `GET /apps/:app/metrics/:name/stream` — Server-Sent Events, `event: point` with each new
 *   interval's value as it is stored.
 * - `GET /metrics` — Prometheus text exposition; admin token.
 */
import type { AppService } from '../../apps/index.js';
import { InvalidParamsError } from '../../errors.js';
import type { Metrics, PrometheusExposition } from '../../metrics/index.js';
import { METRIC_NAMES } from '../../metrics/index.js';
import type { Ctx, Route } from '../http/index.js';
import { requireAdmin } from './deps.js';

export interface MetricsRouteDeps {
  apps: Pick<AppService, 'resolve'>;
  metrics: Metrics;
  prometheus: PrometheusExposition;
  heartbeatMs?: number;
}

function parseTime(raw: string | null, field: string): number | undefined {
  if (raw === null || raw === '') return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new InvalidParamsError(`${field} must be an ISO-8601 time or epoch milliseconds.`, field);
  return ms;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
function parseStep(raw: string | null): number | undefined {
  if (raw === null || raw === '') return undefined;
  const m = /^(\d+)([smhd]?)$/.exec(raw);
  const s = m ? Number(m[1]) * UNITS[m[2] || 's'] : NaN;
  if (!(s > 0)) throw new InvalidParamsError('step must be a number of seconds, or 10s, 1m, 10m, 1h.', 'step');
  return s;
}

function parseProcessType(raw: string | null): string | undefined {
  if (raw === null || raw === '') return undefined;
  if (!/^[a-zA-Z0-9_-]{1,30}$/.test(raw)) throw new InvalidParamsError('process_type must be a process type such as web.', 'process_type');
  return raw;
}

export function metricsRoutes(deps: MetricsRouteDeps): Route[] {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const app = (ctx: Ctx) => deps.apps.resolve(ctx.user, ctx.params.app);
  return [
    {
      method: 'GET', path: '/apps/:app/metrics',
      handler: async (ctx) => {
        const a = await app(ctx);
        return { body: [...METRIC_NAMES, 'events', ...(await deps.metrics.customMetrics(a.id))].map((name) => ({ name })) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/metrics/:name',
      handler: async (ctx) => {
        const a = await app(ctx);
        const q = ctx.query;
        const query = { startMs: parseTime(q.get('start'), 'start'), endMs: parseTime(q.get('end'), 'end'), stepS: parseStep(q.get('step')), processType: parseProcessType(q.get('process_type')) };
        if (ctx.params.name === 'events') {
          const endMs = query.endMs ?? Date.now();
          const startMs = query.startMs ?? endMs - 3_600_000;
          const events = await deps.metrics.events(a.id, startMs, endMs);
          return { body: events.map((e) => ({ time: new Date(e.atMs).toISOString(), type: e.type, message: e.message, data: e.data })) };
        }
        const s = await deps.metrics.series(a.id, ctx.params.name, query);
        return {
          body: {
            name: s.name, app: { id: a.id, name: a.name }, process_type: s.processType,
            start: new Date(s.startMs).toISOString(), end: new Date(s.endMs).toISOString(), step: s.stepS, points: s.points,
          },
        };
      },
    },
    {
      method: 'GET', path: '/apps/:app/metrics/:name/stream', raw: true,
      handler: async (ctx) => {
        const a = await app(ctx);
        const name = ctx.params.name;
        if (!METRIC_NAMES.includes(name) && !name.startsWith('custom:')) await deps.metrics.series(a.id, name); // throws not_found
        const processType = parseProcessType(ctx.query.get('process_type')) ?? (name.startsWith('custom:') ? undefined : 'web');
        const { res } = ctx;
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
        res.write('retry: 2000\n\n');
        const off = deps.metrics.subscribe(a.id, (u) => {
          if (processType !== undefined && u.processType !== processType) return;
          const value = u.values(name);
          if (value) res.write(`event: point\ndata: ${JSON.stringify({ time: new Date(u.startMs).toISOString(), step: u.stepS, process_type: u.processType, ...value })}\n\n`);
        });
        const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
        const done = () => {
          off();
          clearInterval(heartbeat);
        };
        res.on('close', done);
      },
    },
    {
      method: 'GET', path: '/metrics', raw: true,
      handler: async (ctx) => {
        requireAdmin(ctx);
        const text = await deps.prometheus.render();
        ctx.res.writeHead(200, { 'Content-Type': deps.prometheus.contentType, 'Content-Length': Buffer.byteLength(text) });
        ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
      },
    },
  ];
}
