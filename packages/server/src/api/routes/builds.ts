/**
 * Builds: `POST/GET /apps/{app}/builds[/{id}]`, `DELETE /apps/{app}/build-cache`, and the public,
 * unguessable output streams (`output_stream_url` of builds and releases: plain chunked text, live
 * while running, replayed afterwards).
 */
import { z } from 'zod';
import type { Build } from '@slipway/contract';
import { NotFoundError } from '../../errors.js';
import type { AppRecord, BuildRecord, Store } from '../../store/types.js';
import type { DeployRouteDeps } from './deploy-deps.js';
import { buildpackName, parseBuildpackRef } from '../../builds/index.js';
import type { Route } from '../http/index.js';
import { body } from '../validate.js';

const createSchema = z.object({
  source_blob: z.object({
    url: z.string().min(1),
    checksum: z.string().nullable().optional(),
    version: z.string().max(200).nullable().optional(),
    version_description: z.string().nullable().optional(),
  }),
  buildpacks: z.array(z.object({ url: z.string().min(1).optional(), name: z.string().min(1).optional() })
    .refine((b) => b.url !== undefined || b.name !== undefined, 'give url or name')).max(20).nullable().optional(),
});

export function toBuild(deps: DeployRouteDeps, app: AppRecord, b: BuildRecord, email: string): Build {
  return {
    id: b.id,
    app: { id: app.id, name: app.name },
    status: b.status,
    buildpacks: b.buildpacks.map((url) => {
      try {
        return { url, name: buildpackName(parseBuildpackRef(url)) };
      } catch {
        return { url, name: url };
      }
    }),
    output_stream_url: deps.builder.buildOutputUrl(b.id),
    release: b.releaseId ? { id: b.releaseId } : null,
    slug: b.slugId ? { id: b.slugId } : null,
    source_blob: { url: b.sourceUrl, checksum: b.sourceChecksum, version: b.sourceVersion, version_description: null },
    stack: app.stack,
    user: { id: b.userId, email },
    created_at: b.createdAt.toISOString(),
    updated_at: b.updatedAt.toISOString(),
  };
}

async function emailOf(store: Store, userId: string): Promise<string> {
  return (await store.users.get(userId))?.email ?? '';
}

export function buildRoutes(deps: DeployRouteDeps): Route[] {
  const { store, builder } = deps;
  return [
    {
      method: 'POST', path: '/apps/:app/builds',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        const input = await body(ctx, createSchema);
        const build = await builder.createBuild({
          app, user: ctx.user, sourceUrl: input.source_blob.url, sourceVersion: input.source_blob.version ?? null,
          sourceChecksum: input.source_blob.checksum ?? null,
          buildpacks: input.buildpacks ? input.buildpacks.map((b) => (b.url ?? b.name) as string) : undefined,
        });
        return { status: 201, body: toBuild(deps, app, build, ctx.user.email) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/builds',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        const builds = await store.builds.list(app.id);
        return { body: await Promise.all(builds.map(async (b) => toBuild(deps, app, b, await emailOf(store, b.userId)))) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/builds/:id',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        const b = await store.builds.get(app.id, ctx.params.id).catch(() => undefined);
        if (!b) throw new NotFoundError('build');
        return { body: toBuild(deps, app, b, await emailOf(store, b.userId)) };
      },
    },
    {
      method: 'DELETE', path: '/apps/:app/build-cache',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        await builder.deleteCache(app.id);
        return { status: 202, body: {} };
      },
    },
    {
      method: 'GET', path: '/streams/build/:id/:sig', auth: false, raw: true,
      async handler(ctx) {
        const { id, sig } = ctx.params;
        if (!builder.outputs.verify(id, sig, 'build') || !(await builder.outputs.exists('build', id))) return notFound(ctx.res);
        await builder.outputs.pipe('build', id, ctx.res);
      },
    },
    {
      method: 'GET', path: '/streams/release/:app/:id/:sig', auth: false, raw: true,
      async handler(ctx) {
        const { app, id, sig } = ctx.params;
        if (!builder.signer.verify('release-stream', `${app}/${id}`, sig)) return notFound(ctx.res);
        if (await builder.outputs.exists('release', id)) return builder.outputs.pipe('release', id, ctx.res);
        // No release phase: the output of the build that made this release.
        const buildId = (await store.builds.list(app)).find((b) => b.releaseId === id)?.id;
        if (buildId && (await builder.outputs.exists('build', buildId))) return builder.outputs.pipe('build', buildId, ctx.res);
        return notFound(ctx.res);
      },
    },
  ];
}

function notFound(res: import('node:http').ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('No output here.\n');
}
