/**
 * Log drains (`heroku drains`, `drains:add URL`, `drains:remove URL|TOKEN`): Heroku's LogDrain JSON.
 * DELETE takes the id, the url (URL-encoded, as the CLI sends it) or the token.
 */
import type { LogDrain } from '@slipway/contract';
import type { AppService } from '../../apps/index.js';
import type { LogplexService } from '../../logplex/index.js';
import type { AppRecord, DrainRecord } from '../../store/types.js';
import type { Route } from '../http/index.js';

export function toLogDrain(app: AppRecord, d: DrainRecord): LogDrain {
  return {
    id: d.id,
    url: d.url,
    token: d.token,
    addon: null,
    app: { id: app.id, name: app.name },
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}

export function logDrainRoutes(deps: { apps: Pick<AppService, 'resolve'>; logplex: Pick<LogplexService, 'drains'> }): Route[] {
  const { apps, logplex } = deps;
  return [
    {
      method: 'GET', path: '/apps/:app/log-drains',
      handler: async (ctx) => {
        const app = await apps.resolve(ctx.user, ctx.params.app);
        const extended = ctx.query.get('extended') === 'true';
        const drains = await logplex.drains.list(app.id);
        return { body: drains.map((d) => (extended ? { ...toLogDrain(app, d), extended: { drain_id: d.id } } : toLogDrain(app, d))) };
      },
    },
    {
      method: 'POST', path: '/apps/:app/log-drains',
      handler: async (ctx) => {
        const app = await apps.resolve(ctx.user, ctx.params.app);
        const input = (await ctx.json()) as { url?: unknown } | null;
        return { status: 201, body: toLogDrain(app, await logplex.drains.add(app.id, input?.url)) };
      },
    },
    {
      method: 'DELETE', path: '/apps/:app/log-drains/:drain',
      handler: async (ctx) => {
        const app = await apps.resolve(ctx.user, ctx.params.app);
        return { body: toLogDrain(app, await logplex.drains.remove(app.id, ctx.params.drain)) };
      },
    },
  ];
}
