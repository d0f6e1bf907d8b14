/**
 * Apps: `POST /apps`, `GET /apps`, `GET /users/~/apps`, `GET|PATCH|DELETE /apps/:app`, plus the
 * empty collections `apps:info` needs: add-ons and add-on attachments (pipeline couplings: pipelines.ts).
 */
import { z } from 'zod';
import type { App } from '@slipway/contract';
import { InvalidParamsError } from '../../errors.js';
import type { AppRecord } from '../../store/types.js';
import type { Ctx, Route } from '../http/index.js';
import { toApp } from '../present.js';
import { CONTAINER_STACK } from '../../builds/index.js';
import { paginate, parseRange } from '../range.js';
import { body } from '../validate.js';
import { loadApp, userLookup, type RouteDeps } from './deps.js';

export const REGIONS = ['us', 'eu', 'virginia', 'oregon', 'dublin', 'frankfurt', 'tokyo', 'sydney'] as const;
const STACK = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'expected a stack name like heroku-24');

const CreateApp = z.strictObject({
  name: z.string().optional(),
  region: z.enum(REGIONS).optional(),
  stack: STACK.optional(),
  space: z.null().optional(),
  team: z.null().optional(),
  organization: z.null().optional(),
  feature_flags: z.array(z.string()).optional(),
  internal_routing: z.boolean().nullable().optional(),
  kernel: z.string().optional(),
  locked: z.boolean().optional(),
});

const UpdateApp = z.strictObject({
  name: z.string().optional(),
  maintenance: z.boolean().optional(),
  build_stack: z.union([STACK, z.strictObject({ name: STACK })]).optional(),
});

export function appRoutes(deps: RouteDeps): Route[] {
  const { apps, store, config } = deps;

  async function present(app: AppRecord, users = userLookup(store)): Promise<App> {
    const current = await store.releases.current(app.id);
    const slug = current?.slugId ? await store.slugs.get(app.id, current.slugId) : undefined;
    return toApp(config, app, await users(app.ownerId), slug);
  }

  async function list(ctx: Ctx, all: boolean) {
    const spec = parseRange(ctx.req.headers.range, { keys: ['name', 'id', 'updated_at'] });
    const page = paginate(await apps.list(ctx.user, { all }), spec, (a, key) => (key === 'updated_at' ? a.updatedAt.toISOString() : key === 'id' ? a.id : a.name));
    const users = userLookup(store);
    const out: App[] = [];
    for (const a of page.items) out.push(await present(a, users));
    return { status: page.status, headers: page.headers, body: out };
  }

  return [
    {
      method: 'POST', path: '/apps',
      handler: async (ctx) => {
        const input = await body(ctx, CreateApp);
        // `container` is what `heroku apps:create --manifest` asks for: heroku.yml apps, built with buildpacks (builds/heroku-yml.ts).
        if (input.stack !== undefined && input.stack !== config.stack && input.stack !== CONTAINER_STACK) {
          throw new InvalidParamsError(`Stack ${input.stack} is not available; this platform runs ${config.stack} (and ${CONTAINER_STACK} for heroku.yml apps).`, 'stack');
        }
        const app = await apps.create(ctx.user, { name: input.name, region: input.region, stack: input.stack });
        return { status: 201, body: await present(app) };
      },
    },
    { method: 'GET', path: '/apps', handler: (ctx) => list(ctx, true) },
    { method: 'GET', path: '/users/~/apps', handler: (ctx) => list(ctx, false) },
    { method: 'GET', path: '/apps/:app', handler: async (ctx) => ({ body: await present(await loadApp(deps, ctx)) }) },
    {
      method: 'PATCH', path: '/apps/:app',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const input = await body(ctx, UpdateApp);
        const stack = typeof input.build_stack === 'object' ? input.build_stack.name : input.build_stack;
        if (stack !== undefined && stack !== config.stack) throw new InvalidParamsError(`Invalid build_stack: stack ${stack} is not available; this platform runs ${config.stack}.`, 'build_stack');
        const updated = await apps.update(ctx.user, app, { name: input.name, maintenance: input.maintenance, stack });
        return { body: await present(updated) };
      },
    },
    {
      method: 'DELETE', path: '/apps/:app',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const shown = await present(app);
        await apps.destroy(ctx.user, app);
        return { body: shown };
      },
    },
    { method: 'GET', path: '/apps/:app/addons', handler: async (ctx) => { await loadApp(deps, ctx); return { body: [] }; } },
    { method: 'GET', path: '/apps/:app/addon-attachments', handler: async (ctx) => { await loadApp(deps, ctx); return { body: [] }; } },
    { method: 'GET', path: '/addon-attachments', handler: async () => ({ body: [] }) },
    { method: 'GET', path: '/addons', handler: async () => ({ body: [] }) },
  ];
}
