import { defineCommand } from '../../../framework/command.js';
import { path } from '../../../api/client.js';
import { CliError } from '../../../framework/errors.js';
import { describeMonitor, type Monitor } from '../../../format/monitors.js';

export default defineCommand({
  summary: 'enable autoscaling of a process type (web by default)',
  usage: 'ps:autoscale:enable [TYPE] --min N --max N [--p95 MS] [--queue-time MS] [--metric NAME --per-dyno N] [--idle SECONDS] [-a APP]',
  description: [
    'Web dynos scale on the p95 response time the router measures (--p95, default 1000 ms) and, with',
    '--queue-time, on the p95 time requests wait for a free dyno. A worker scales on a metric the app',
    'logs in the l2met format (`sample#queue_depth=120`): --metric queue_depth --per-dyno 50.',
    '--min 0 with --idle stops every dyno after that many seconds without a request; the router',
    'starts one again on the next request. Changing settings keeps the ones not given.',
  ].join('\n'),
  examples: [
    '$ slipway ps:autoscale:enable --min 1 --max 10 --p95 500 --queue-time 50 -a myapp\nEnabling dyno autoscaling... done\nweb: on, min 1, max 10, p95 500 ms, queue 50 ms',
    '$ slipway ps:autoscale:enable worker --min 0 --max 5 --metric queue_depth --per-dyno 50 --idle 300 -a myapp\nEnabling dyno autoscaling... done\nworker: on, min 0, max 5, queue_depth 50 per dyno, idle 300 s',
  ],
  app: true,
  flags: {
    min: { type: 'integer', description: 'minimum number of dynos' },
    max: { type: 'integer', description: 'maximum number of dynos' },
    p95: { type: 'integer', description: 'target p95 response time in ms (web)' },
    'queue-time': { type: 'integer', description: 'target p95 queue time in ms (web)' },
    metric: { type: 'string', description: 'l2met metric to scale on (worker types)' },
    'per-dyno': { type: 'integer', description: 'value of --metric one dyno handles' },
    idle: { type: 'integer', description: 'with --min 0: seconds without a request before scaling to zero' },
    strategy: { type: 'string', description: 'slipway (default) or heroku (one dyno a minute, for comparison)' },
    json: { type: 'boolean', description: 'output the monitor in JSON format' },
  },
  async run(ctx) {
    const app = await ctx.app();
    if (ctx.args.length > 1) throw new CliError('Give at most one process type.');
    const type = ctx.args[0] ?? 'web';
    const metric = ctx.str('metric');
    if (metric !== undefined && ctx.int('per-dyno') === undefined) throw new CliError('--metric needs --per-dyno: the value of the metric one dyno handles.');
    if (ctx.int('per-dyno') !== undefined && metric === undefined) throw new CliError('--per-dyno needs --metric.');
    const body: Record<string, unknown> = { action_type: 'scale', is_active: true, op: 'GREATER_OR_EQUAL', period: 1 };
    const set = (key: string, value: unknown) => { if (value !== undefined) body[key] = value; };
    set('min_quantity', ctx.int('min'));
    set('max_quantity', ctx.int('max'));
    set('value', metric !== undefined ? ctx.int('per-dyno') : ctx.int('p95'));
    set('queue_time_ms', ctx.int('queue-time'));
    set('idle_ms', ctx.int('idle') === undefined ? undefined : ctx.int('idle')! * 1000);
    set('strategy', ctx.str('strategy'));
    if (metric !== undefined) Object.assign(body, { metric, name: 'METRIC_SCALE' });
    const existing = (await ctx.api.get<Monitor[]>(path`/apps/${app}/formation/${type}/monitors`)).find((m) => m.action_type === 'scale');
    const monitor = await ctx.action('Enabling dyno autoscaling', () => existing
      ? ctx.api.patch<Monitor>(path`/apps/${app}/formation/${type}/monitors/${existing.id}`, body)
      : ctx.api.post<Monitor>(path`/apps/${app}/formation/${type}/monitors`, { name: 'LATENCY_SCALE', notification_channels: [], notification_period: 1440, ...body }));
    if (ctx.bool('json')) return ctx.json(monitor);
    ctx.out(describeMonitor(monitor));
  },
});
