/** `GET|PUT /apps/{app}/buildpack-installations` (`buildpacks`, `buildpacks:set|add|clear`). */
import { z } from 'zod';
import type { BuildpackInstallation } from '@slipway/contract';
import type { BuildpackRecord } from '../../store/types.js';
import { buildpackName, parseBuildpackRef } from '../../builds/index.js';
import type { DeployRouteDeps } from './deploy-deps.js';
import type { Route } from '../http/index.js';
import { body } from '../validate.js';

const putSchema = z.object({
  updates: z.array(z.object({ buildpack: z.string().min(1).max(2000) })).max(20),
});

export function toInstallation(b: BuildpackRecord): BuildpackInstallation {
  let name = b.url;
  try {
    name = buildpackName(parseBuildpackRef(b.url));
  } catch {
    // stored before validation changed: show the URL
  }
  return { ordinal: b.ordinal, buildpack: { url: b.url, name } };
}

export function buildpackInstallationRoutes(deps: DeployRouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/apps/:app/buildpack-installations',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        return { body: (await deps.store.buildpacks.list(app.id)).map(toInstallation) };
      },
    },
    {
      method: 'PUT', path: '/apps/:app/buildpack-installations',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        const input = await body(ctx, putSchema);
        const urls = input.updates.map((u) => u.buildpack.trim());
        for (const u of urls) parseBuildpackRef(u);
        return { body: (await deps.store.buildpacks.replace(app.id, urls)).map(toInstallation) };
      },
    },
  ];
}
