/**
 * Formation: `GET /apps/:app/formation[/:type]`, `PATCH /apps/:app/formation {updates:[…]}` and
 * `PATCH /apps/:app/formation/:type`. Quantities are integers or strings ("2", "+2", "-1"); sizes
 * come as `size` or `dyno_size` (a string or `{name}`).
 */
import { z } from 'zod';
import type { ScaleUpdate } from '../../apps/index.js';
import { PROCESS_TYPE_PATTERN } from '@slipway/contract';
import type { Route } from '../http/index.js';
import { toFormation } from '../present.js';
import { body } from '../validate.js';
import { loadApp, type RouteDeps } from './deps.js';

const Quantity = z.union([z.number().int(), z.string().regex(/^\s*[+-]?\d{1,6}\s*$/, 'expected an integer or a relative change like "+2" or "-1"')]);
const Size = z.union([z.string().min(1).max(40), z.strictObject({ name: z.string().min(1).max(40) }), z.strictObject({ id: z.string().min(1).max(40) })]);
const Fields = { quantity: Quantity.optional(), size: Size.optional(), dyno_size: Size.optional() };
const Update = z.strictObject({ type: z.string().regex(PROCESS_TYPE_PATTERN, 'expected a process type like web or worker'), ...Fields });
const Batch = z.strictObject({ updates: z.array(Update).min(1).max(100) });
const One = z.strictObject(Fields);

function sizeName(s: z.infer<typeof Size> | undefined): string | undefined {
  if (s === undefined) return undefined;
  if (typeof s === 'string') return s;
  return 'name' in s ? s.name : s.id;
}

function toUpdate(type: string, u: z.infer<typeof One>): ScaleUpdate {
  return { type, quantity: u.quantity, size: sizeName(u.dyno_size) ?? sizeName(u.size) };
}

export function formationRoutes(deps: RouteDeps): Route[] {
  const { apps } = deps;
  return [
    {
      method: 'GET', path: '/apps/:app/formation',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: (await apps.listFormation(app)).map((f) => toFormation(app, f)) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/formation/:type',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: toFormation(app, await apps.getFormation(app, ctx.params.type)) };
      },
    },
    {
      method: 'PATCH', path: '/apps/:app/formation',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const input = await body(ctx, Batch);
        const changed = await apps.scale(ctx.user, app, input.updates.map((u) => toUpdate(u.type, u)));
        return { body: changed.map((f) => toFormation(app, f)) };
      },
    },
    {
      method: 'PATCH', path: '/apps/:app/formation/:type',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const input = await body(ctx, One);
        const [changed] = await apps.scale(ctx.user, app, [toUpdate(ctx.params.type, input)]);
        return { body: toFormation(app, changed) };
      },
    },
  ];
}
