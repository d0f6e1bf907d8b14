import type { Formation } from '@slipway/contract';
import { defineCommand } from '../framework/command.js';
import { path } from '../api/client.js';
import { UsageError } from '../framework/errors.js';
import { sparkline } from '../format/sparkline.js';

interface Point { time: string; [field: string]: unknown }
interface Series { points: Point[]; step: number }

const WINDOWS: Record<string, number> = { '10m': 600, '1h': 3600, '6h': 21_600, '24h': 86_400, '7d': 604_800 };
const STEPS: Record<string, number> = { '10m': 10, '1h': 60, '6h': 600, '24h': 1800, '7d': 14_400 };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ms = (v: unknown) => (num(v) === null ? '-' : `${Math.round(num(v)!)}ms`);
const lastWith = (points: Point[], field: string) => [...points].reverse().find((p) => num(p[field]) !== null && (num(p.count ?? p.samples ?? p.requests) ?? 1) > 0);

export default defineCommand({
  summary: 'summarise an app\'s metrics: response time, throughput, errors, memory and load, with sparklines',
  usage: 'metrics [-a APP] [--since 10m|1h|6h|24h|7d] [--json]',
  app: true,
  examples: [
    '$ slipway metrics -a myapp\n=== myapp Metrics (last 1h, 1 min steps)\n\nweb     response time  p50 42ms  p95 100ms  p99 130ms     ▁▅█\n        throughput     300 rpm  errors 1.0% (H12 3)       ▃▆█▁\n        memory         215 MB (42% of 512 MB)  load 0.35  ▁▃▆█\nworker  memory         99 MB (19% of 512 MB)  load 0.02   ▁▃▆█',
  ],
  flags: {
    since: { type: 'string', description: 'how far back (10m, 1h, 6h, 24h, 7d; default 1h)' },
    json: { type: 'boolean', description: 'print the series as JSON' },
  },
  async run(ctx) {
    const app = await ctx.app();
    const since = ctx.str('since') ?? '1h';
    if (!(since in WINDOWS)) throw new UsageError(`--since must be one of ${Object.keys(WINDOWS).join(', ')}, got "${since}".`);
    const end = ctx.now().getTime();
    const query = `?start=${end - WINDOWS[since] * 1000}&end=${end}&step=${STEPS[since]}`;
    const get = (name: string, type: string) => ctx.api.get<Series>(`${path`/apps/${app}/metrics/${name}`}${query}&process_type=${encodeURIComponent(type)}`);
    const formation = await ctx.api.get<Formation[]>(path`/apps/${app}/formation`);
    const types = [...new Set(['web', ...formation.filter((f) => f.quantity > 0).map((f) => f.type)])];
    const [rt, tp, errors] = await Promise.all([get('response-time', 'web'), get('throughput', 'web'), get('errors', 'web')]);
    const dynos = await Promise.all(types.map(async (type) => ({ type, memory: await get('memory', type), load: await get('load', type) })));
    if (ctx.bool('json')) return ctx.json({ 'response-time': rt, throughput: tp, errors, dynos });

    const stepLabel = rt.step % 60 === 0 ? `${rt.step / 60} min` : `${rt.step} s`;
    ctx.out(`=== ${app} Metrics (last ${since}, ${stepLabel} steps)`);
    ctx.out('');
    const rows: [string, string, string, string][] = [];
    const latest = lastWith(rt.points, 'p50');
    const latestTp = [...tp.points].reverse().find((p) => (num(p.requests) ?? 0) > 0);
    const latestErr = latestTp ? errors.points.find((p) => p.time === latestTp.time) : undefined;
    rows.push(['web', 'response time', latest ? `p50 ${ms(latest.p50)}  p95 ${ms(latest.p95)}  p99 ${ms(latest.p99)}` : 'no requests', sparkline(rt.points.map((p) => num(p.p95)))]);
    let tpText = 'no requests';
    if (latestTp) {
      const reqs = num(latestTp.requests)!;
      const codes = Object.entries((latestErr?.codes ?? {}) as Record<string, number>).map(([c, n]) => `${c} ${n}`).join(', ');
      const rate = ((num(latestTp['5xx']) ?? 0) / reqs) * 100;
      tpText = `${num(latestTp.rpm)} rpm  errors ${rate.toFixed(1)}%${codes ? ` (${codes})` : ''}`;
    }
    rows.push(['', 'throughput', tpText, sparkline(tp.points.map((p) => num(p.requests)))]);
    for (const d of dynos) {
      const mem = lastWith(d.memory.points, 'mean_mb');
      const load = lastWith(d.load.points, 'mean');
      const text = mem ? `${Math.round(num(mem.mean_mb)!)} MB (${Math.round((num(mem.mean_mb)! / num(mem.quota_mb)!) * 100)}% of ${num(mem.quota_mb)} MB)  load ${num(load?.mean)?.toFixed(2) ?? '-'}` : 'no samples';
      rows.push([d.type === 'web' ? '' : d.type, 'memory', text, sparkline(d.memory.points.map((p) => num(p.mean_mb)))]);
    }
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) ctx.out(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`.trimEnd());
  },
});
