/**
 * App setups (Heroku's deploy button): `POST /app-setups` with `source_blob.url` (an http(s)
 * tarball, or a `POST /sources` upload's get_url) and optional `app`, `overrides` and
 * `pipeline_coupling`; `GET /app-setups/{id}` for status polling.
 */
import { z } from 'zod';
import type { AppSetup } from '@slipway/contract';
import type { AppSetupService } from '../../app-setups/index.js';
import type { Config } from '../../config.js';
import type { AppRecord, AppSetupRecord, Store } from '../../store/types.js';
import type { Route } from '../http/index.js';
import { webUrl } from '../present.js';
import { body } from '../validate.js';

export interface AppSetupRouteDeps {
  config: Config;
  store: Store;
  setups: AppSetupService;
  buildOutputUrl(buildId: string): string;
}

const CreateSetup = z.strictObject({
  app: z.strictObject({
    name: z.string().optional(),
    region: z.string().optional(),
    stack: z.string().optional(),
    personal: z.boolean().optional(),
    locked: z.boolean().optional(),
    organization: z.string().nullable().optional(),
    space: z.string().nullable().optional(),
  }).optional(),
  source_blob: z.strictObject({
    url: z.string().min(1),
    checksum: z.string().nullable().optional(),
    version: z.string().max(200).nullable().optional(),
    version_description: z.string().nullable().optional(),
  }),
  overrides: z.strictObject({
    env: z.record(z.string(), z.string()).optional(),
    buildpacks: z.array(z.strictObject({ url: z.string().min(1) })).max(20).optional(),
  }).optional(),
  pipeline_coupling: z.strictObject({ pipeline: z.string().min(1), stage: z.string() }).optional(),
});

export function appSetupRoutes(deps: AppSetupRouteDeps): Route[] {
  const { store, setups, config } = deps;

  async function present(setup: AppSetupRecord, app: AppRecord): Promise<AppSetup> {
    const build = setup.buildId ? await store.builds.get(app.id, setup.buildId) : undefined;
    const manifest = await setups.manifest(app.id);
    const successUrl = typeof manifest.success_url === 'string' ? manifest.success_url : '/';
    return {
      id: setup.id,
      app: { id: app.id, name: app.name },
      build: build ? { id: build.id, status: build.status, output_stream_url: deps.buildOutputUrl(build.id) } : null,
      status: setup.status,
      failure_message: setup.failureMessage,
      manifest_errors: setup.manifestErrors,
      postdeploy: setup.postdeploy ? { output: setup.postdeploy.output, exit_code: setup.postdeploy.exitCode } : null,
      resolved_success_url: setup.status === 'succeeded' ? new URL(successUrl, webUrl(config, app.name)).toString() : null,
      created_at: setup.createdAt.toISOString(),
      updated_at: setup.updatedAt.toISOString(),
    };
  }

  return [
    {
      method: 'POST', path: '/app-setups',
      handler: async (ctx) => {
        const input = await body(ctx, CreateSetup);
        const setup = await setups.create(ctx.user, {
          app: input.app && { name: input.app.name, region: input.app.region, stack: input.app.stack },
          sourceBlob: { url: input.source_blob.url, checksum: input.source_blob.checksum, version: input.source_blob.version },
          overrides: input.overrides,
          pipelineCoupling: input.pipeline_coupling,
        });
        const { app } = await setups.get(ctx.user, setup.id);
        return { status: 201, body: await present(setup, app) };
      },
    },
    {
      method: 'GET', path: '/app-setups/:setup',
      handler: async (ctx) => {
        const { setup, app } = await setups.get(ctx.user, ctx.params.setup);
        return { body: await present(setup, app) };
      },
    },
  ];
}
