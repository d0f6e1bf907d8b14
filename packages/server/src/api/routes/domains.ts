/**
 * Domains: list (Range by id/hostname; 200 when everything fits), one (id or hostname), add, remove
 * (id or hostname), and `GET /apps/:app/sni-endpoints` (none: TLS is not terminated here).
 */
import { z } from 'zod';
import type { Route } from '../http/index.js';
import { toDomain } from '../present.js';
import { paginate, parseRange } from '../range.js';
import { body } from '../validate.js';
import { loadApp, type RouteDeps } from './deps.js';

const CreateDomain = z.strictObject({
  hostname: z.string().min(1).max(253),
  sni_endpoint: z.string().nullable().optional(),
});

export function domainRoutes(deps: RouteDeps): Route[] {
  const { apps } = deps;
  return [
    {
      method: 'GET', path: '/apps/:app/domains',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const spec = parseRange(ctx.req.headers.range, { keys: ['id', 'hostname'], defaultKey: 'hostname' });
        const page = paginate(await apps.listDomains(app), spec, (d, key) => (key === 'id' ? d.id : d.hostname));
        return { status: page.status, headers: page.headers, body: page.items.map((d) => toDomain(app, d)) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/domains/:domain',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: toDomain(app, await apps.getDomain(app, ctx.params.domain)) };
      },
    },
    {
      method: 'POST', path: '/apps/:app/domains',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const input = await body(ctx, CreateDomain);
        return { status: 201, body: toDomain(app, await apps.addDomain(ctx.user, app, input.hostname)) };
      },
    },
    {
      method: 'DELETE', path: '/apps/:app/domains/:domain',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: toDomain(app, await apps.removeDomain(ctx.user, app, ctx.params.domain)) };
      },
    },
    { method: 'GET', path: '/apps/:app/sni-endpoints', handler: async (ctx) => { await loadApp(deps, ctx); return { body: [] }; } },
  ];
}
