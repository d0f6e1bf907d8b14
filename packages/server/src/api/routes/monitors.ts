/**
 * Monitors (heroku-contract.md A13, heroku-contract-2.md C6.1/C6.2): the metrics host's
 * `GET|POST /apps/{app}/formation/{type}/monitors` and `PATCH …/monitors/{id}`, served on the API
 * port whatever the `Host` (the official CLI sends `Host: api.metrics.heroku.com:<port>`), plus
 * `DELETE …/monitors/{id}` and `GET /apps/{app}/monitors` (every type) for the slipway CLI.
 */
import { z } from 'zod';
import type { Monitor } from '@slipway/contract';
import type { AppService } from '../../apps/index.js';
import { STRATEGIES, type MonitorService } from '../../autoscale/index.js';
import type { AppRecord, MonitorRecord } from '../../store/types.js';
import type { Ctx, Route } from '../http/index.js';
import { body } from '../validate.js';

export interface MonitorRouteDeps {
  apps: Pick<AppService, 'resolve'>;
  monitors: MonitorService;
}

const quantity = z.number().int().min(0);
const ms = z.number().int().min(1).max(3_600_000);
const MonitorFields = {
  action_type: z.enum(['scale', 'alert']).optional(),
  is_active: z.boolean().optional(),
  op: z.enum(['GREATER_OR_EQUAL', 'LESS_THAN']).optional(),
  period: z.number().int().min(1).max(60).optional(),
  value: z.number().int().min(1).max(3_600_000).optional(),
  min_quantity: quantity.optional(),
  max_quantity: quantity.optional(),
  notification_channels: z.array(z.enum(['app', 'email'])).max(2).optional(),
  notification_period: z.number().int().min(1).max(10_080).optional(),
  queue_time_ms: ms.nullable().optional(),
  metric: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'an l2met metric name (letters, digits, _ . -)').nullable().optional(),
  idle_ms: z.number().int().min(10_000).max(7 * 86_400_000).nullable().optional(),
  strategy: z.enum(STRATEGIES).optional(),
};
const CreateMonitor = z.strictObject({ ...MonitorFields, name: z.enum(['LATENCY_SCALE', 'METRIC_SCALE']).optional() });
const UpdateMonitor = z.strictObject({ ...MonitorFields, name: z.enum(['LATENCY_SCALE', 'METRIC_SCALE']).optional() });

export function toMonitor(app: AppRecord, m: MonitorRecord): Monitor {
  return {
    id: m.id,
    app: { id: app.id, name: app.name },
    process_type: m.processType,
    action_type: m.actionType,
    name: m.name,
    is_active: m.isActive,
    op: m.op,
    period: m.period,
    value: m.value,
    min_quantity: m.minQuantity,
    max_quantity: m.maxQuantity,
    notification_channels: m.notificationChannels,
    notification_period: m.notificationPeriod,
    queue_time_ms: m.queueTimeMs,
    metric: m.metric,
    idle_ms: m.idleMs,
    strategy: m.strategy,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
}

export function monitorRoutes(deps: MonitorRouteDeps): Route[] {
  const { apps, monitors } = deps;
  const loadApp = (ctx: Ctx) => apps.resolve(ctx.user, ctx.params.app);
  const base = '/apps/:app/formation/:type/monitors';
  return [
    {
      method: 'GET', path: '/apps/:app/monitors',
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        return { body: (await monitors.listAll(app)).map((m) => toMonitor(app, m)) };
      },
    },
    {
      method: 'GET', path: base,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        return { body: (await monitors.list(app, ctx.params.type)).map((m) => toMonitor(app, m)) };
      },
    },
    {
      method: 'POST', path: base,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        const input = await body(ctx, CreateMonitor);
        return { status: 201, body: toMonitor(app, await monitors.create(ctx.user, app, ctx.params.type, input)) };
      },
    },
    {
      method: 'GET', path: `${base}/:monitor`,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        return { body: toMonitor(app, await monitors.get(app, ctx.params.type, ctx.params.monitor)) };
      },
    },
    {
      method: 'PATCH', path: `${base}/:monitor`,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        const input = await body(ctx, UpdateMonitor);
        return { body: toMonitor(app, await monitors.update(ctx.user, app, ctx.params.type, ctx.params.monitor, input)) };
      },
    },
    {
      method: 'DELETE', path: `${base}/:monitor`,
      handler: async (ctx) => {
        const app = await loadApp(ctx);
        return { body: toMonitor(app, await monitors.remove(ctx.user, app, ctx.params.type, ctx.params.monitor)) };
      },
    },
  ];
}
