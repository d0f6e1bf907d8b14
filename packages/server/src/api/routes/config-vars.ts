/**
 * Config vars: `GET|PATCH /apps/:app/config-vars` (null unsets; every change is a release).
 */
import { z } from 'zod';
import type { Route } from '../http/index.js';
import { body } from '../validate.js';
import { loadApp, type RouteDeps } from './deps.js';

const ConfigPatch = z.record(z.string(), z.string().nullable());

export function configVarRoutes(deps: RouteDeps): Route[] {
  const { apps } = deps;
  return [
    { method: 'GET', path: '/apps/:app/config-vars', handler: async (ctx) => ({ body: await apps.getConfig(await loadApp(deps, ctx)) }) },
    {
      method: 'PATCH', path: '/apps/:app/config-vars',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const patch = await body(ctx, ConfigPatch);
        const { config } = await apps.patchConfig(ctx.user, app, patch);
        return { body: config };
      },
    },
  ];
}
