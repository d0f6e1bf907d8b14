/** Slugs: `GET /apps/{app}/slugs/{id}` and its blob. */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { stableId, type Slug } from '@slipway/contract';
import { apiBaseUrl } from '../../config.js';
import { NotFoundError } from '../../errors.js';
import type { AppRecord, SlugRecord } from '../../store/types.js';
import type { DeployRouteDeps } from './deploy-deps.js';
import type { Route } from '../http/index.js';

export function toSlug(deps: DeployRouteDeps, app: AppRecord, s: SlugRecord): Slug {
  return {
    id: s.id,
    app: { id: app.id, name: app.name },
    checksum: s.checksum,
    commit: s.commit,
    commit_description: s.commitDescription,
    buildpack_provided_description: s.buildpackProvidedDescription,
    process_types: s.processTypes,
    size: s.size,
    stack: { id: stableId('stack', s.stack), name: s.stack },
    blob: { method: 'get', url: `${apiBaseUrl(deps.config)}/apps/${app.id}/slugs/${s.id}/blob` },
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

export function slugRoutes(deps: DeployRouteDeps): Route[] {
  const load = async (appId: string, id: string) => {
    const s = await deps.store.slugs.get(appId, id).catch(() => undefined);
    if (!s) throw new NotFoundError('slug');
    return s;
  };
  return [
    {
      method: 'GET', path: '/apps/:app/slugs/:id',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        return { body: toSlug(deps, app, await load(app.id, ctx.params.id)) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/slugs/:id/blob', raw: true,
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        const s = await load(app.id, ctx.params.id);
        if (!s.blobPath) throw new NotFoundError('slug');
        ctx.res.writeHead(200, { 'Content-Type': 'application/gzip', ...(s.size ? { 'Content-Length': String(s.size) } : {}) });
        await new Promise<void>((resolve) => {
          const rs = createReadStream(path.join(deps.config.dataDir, s.blobPath!));
          rs.on('error', () => {
            ctx.res.destroy();
            resolve();
          });
          rs.on('end', resolve);
          rs.pipe(ctx.res);
        });
      },
    },
  ];
}
