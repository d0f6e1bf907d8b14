/**
 * Formation-scoped dyno actions (heroku-contract.md A11, A12): `DELETE /apps/:app/formations/:type`
 * (`ps:restart -p web`, note the plural) and `POST /apps/:app/formations/:type/actions/stop`
 * (`ps:kill -p worker`), both 202 `{}`. Reading and scaling the formation is `formation.ts`.
 */
import { NotFoundError } from '../../errors.js';
import type { Ctx, Route } from '../http/index.js';
import type { DynoRouteDeps } from './dyno-deps.js';

export function formationActionRoutes(deps: DynoRouteDeps): Route[] {
  const { apps, manager, store } = deps;
  const load = async (ctx: Ctx) => {
    const app = await apps.resolve(ctx.user, ctx.params.app);
    const type = ctx.params.type;
    if (!(await store.formation.get(app.id, type)) && !(await store.dynos.list(app.id)).some((d) => d.type === type)) {
      throw new NotFoundError('formation', `No ${type} dynos on ${app.name}.`);
    }
    return { app, type };
  };
  return [
    {
      method: 'DELETE', path: '/apps/:app/formations/:type',
      handler: async (ctx) => {
        const { app, type } = await load(ctx);
        await manager.restart(app.id, { type });
        return { status: 202, body: {} };
      },
    },
    {
      method: 'POST', path: '/apps/:app/formations/:type/actions/stop',
      handler: async (ctx) => {
        const { app, type } = await load(ctx);
        await manager.stopDyno(app.id, { type });
        return { status: 202, body: {} };
      },
    },
  ];
}
