/**
 * App setups, Heroku's "deploy button" flow: one call creates an app from a source tarball and its
 * app.json. Decided before anything is created (422 on any of them): the source is fetched and its
 * app.json parsed, the env resolved (overrides, values, generated secrets) and every required
 * variable present. Then, in order: the app, its config vars, buildpacks, manifest and optional
 * pipeline coupling are created and the setup answers `pending`; in the background the add-ons are
 * provisioned (the add-on service), the source is built through the builder, the app.json formation applied and
 * `scripts.postdeploy` run once as a one-off dyno through the dyno manager (RuntimeDriver).
 */
import path from 'node:path';
import type { AppService } from '../apps/index.js';
import { addonRequests, envSpecs, parseAppJson, resolveEnv, scriptCommand, sourceBlobProblem, type AppJson, type Builder } from '../builds/index.js';
import { envKeyProblem, envValueProblem } from '../apps/index.js';
import { InvalidParamsError, NotFoundError, SlipwayError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { PipelineService, ReleasePhaseRunner } from '../pipelines/index.js';
import type { AppRecord, AppSetupRecord, Store, UserRecord } from '../store/types.js';

export interface AppSetupDeps {
  store: Store;
  logger: Logger;
  dataDir: string;
  apps: Pick<AppService, 'create' | 'patchConfig' | 'scale' | 'canAccess'>;
  builder: Pick<Builder, 'stageSource' | 'createBuild' | 'waitForBuild'>;
  pipelines?: Pick<PipelineService, 'addCoupling'>;
  /** Provisions app.json's add-ons (the add-on service); without it a setup asking for one fails. */
  addons?: { create(user: UserRecord, app: AppRecord, input: { plan: string; attachmentName?: string }): Promise<unknown> };
  /** Runs a command once on the app's current slug and config (the dyno manager's one-off path). */
  runOnce: ReleasePhaseRunner;
}

export interface AppSetupInput {
  app?: { name?: string; region?: string; stack?: string };
  sourceBlob: { url: string; checksum?: string | null; version?: string | null };
  overrides?: { env?: Record<string, string>; buildpacks?: { url: string }[] };
  pipelineCoupling?: { pipeline: string; stage: string };
}

const MAX_OUTPUT = 1024 * 1024;

export function createAppSetupService(deps: AppSetupDeps) {
  const { store, logger, builder, apps } = deps;
  const inFlight = new Set<Promise<void>>();

  async function fail(id: string, message: string): Promise<void> {
    await store.appSetups.update(id, { status: 'failed', failureMessage: message });
  }

  async function run(user: UserRecord, app: AppRecord, setup: AppSetupRecord, json: AppJson, sourceUrl: string, input: AppSetupInput): Promise<void> {
    // Add-ons first, as Heroku does: the build and postdeploy see their config vars (DATABASE_URL…).
    for (const a of addonRequests(json)) {
      let problem: string | undefined;
      if (!deps.addons) problem = `Add-on ${a.plan} is not available: this platform has no add-on provider for it.`;
      else {
        try {
          await deps.addons.create(user, app, { plan: a.plan, attachmentName: a.as ?? undefined });
        } catch (err) {
          if (!(err instanceof SlipwayError)) throw err;
          problem = `Add-on ${a.plan} could not be provisioned: ${err.message}`;
        }
      }
      if (problem !== undefined) {
        await store.appSetups.update(setup.id, { manifestErrors: [problem] });
        return fail(setup.id, problem);
      }
    }
    const build = await builder.createBuild({ app, user, sourceUrl, sourceVersion: input.sourceBlob.version ?? null });
    await store.appSetups.update(setup.id, { buildId: build.id });
    await builder.waitForBuild(build.id);
    const built = await store.builds.get(app.id, build.id);
    if (built?.status !== 'succeeded') return fail(setup.id, 'The build failed: see its output (GET /apps/{app}/builds/{id}, output_stream_url).');

    const formation = Object.entries(json.formation ?? {}).map(([type, f]) => ({ type, quantity: f.quantity, size: f.size }));
    if (formation.length > 0) {
      const have = new Set((await store.formation.list(app.id)).map((f) => f.type));
      const missing = formation.filter((f) => !have.has(f.type)).map((f) => f.type);
      if (missing.length > 0) return fail(setup.id, `app.json formation names process types the app does not have: ${missing.join(', ')}.`);
      await apps.scale(user, app, formation);
    }

    const postdeploy = scriptCommand(json.scripts?.postdeploy);
    if (postdeploy) {
      const release = await store.releases.current(app.id);
      const slug = release?.slugId ? await store.slugs.get(app.id, release.slugId) : undefined;
      if (!release || !slug?.blobPath) return fail(setup.id, 'The postdeploy script cannot run: the app has no slug.');
      let output = '';
      const { exitCode } = await deps.runOnce(app, { slugPath: path.join(deps.dataDir, slug.blobPath), config: release.config }, postdeploy, (t) => {
        if (output.length < MAX_OUTPUT) output += t;
      });
      await store.appSetups.update(setup.id, { postdeploy: { output, exitCode } });
      if (exitCode !== 0) return fail(setup.id, `The postdeploy script failed (exit ${exitCode}).`);
    }
    await store.appSetups.update(setup.id, { status: 'succeeded' });
  }

  return {
    async create(user: UserRecord, input: AppSetupInput): Promise<AppSetupRecord> {
      const problem = sourceBlobProblem(input.sourceBlob.url, input.sourceBlob.checksum);
      if (problem) throw new InvalidParamsError(problem.message, problem.field);
      const overrides = input.overrides?.env ?? {};
      for (const [key, value] of Object.entries(overrides)) {
        const bad = envKeyProblem(key) ?? envValueProblem(key, value);
        if (bad) throw new InvalidParamsError(bad.message, `overrides.env.${bad.field}`);
      }
      const staged = await builder.stageSource(input.sourceBlob.url, input.sourceBlob.checksum);
      let json: AppJson;
      let env: Record<string, string>;
      let app: AppRecord;
      try {
        json = staged.appJson === undefined ? {} : parseAppJson(staged.appJson);
        const resolved = resolveEnv(envSpecs(json), overrides);
        if (!resolved.ok) {
          throw new InvalidParamsError(`Missing required config vars: ${resolved.missing.join(', ')}. app.json requires them; give them in overrides.env.`, 'overrides.env');
        }
        env = resolved.config;
        app = await apps.create(user, { name: input.app?.name, region: input.app?.region, stack: input.app?.stack });
      } catch (err) {
        await staged.discard();
        throw err;
      }
      if (Object.keys(env).length > 0) await apps.patchConfig(user, app, env);
      const buildpacks = (input.overrides?.buildpacks ?? json.buildpacks ?? []).map((b) => b.url);
      if (buildpacks.length > 0) await store.buildpacks.replace(app.id, buildpacks);
      await store.appManifests.put(app.id, json);
      if (input.pipelineCoupling && deps.pipelines) {
        await deps.pipelines.addCoupling(user, { app: app.id, pipeline: input.pipelineCoupling.pipeline, stage: input.pipelineCoupling.stage });
      }
      const setup = await store.appSetups.create({ appId: app.id, sourceUrl: input.sourceBlob.url, userId: user.id });
      logger.info('app_setup.start', { setup: setup.id, app: app.name });
      const job = run(user, app, setup, json, staged.sourceUrl, input).catch(async (err) => {
        const message = err instanceof SlipwayError ? err.message : 'Internal error during the app setup.';
        if (!(err instanceof SlipwayError)) logger.error('app_setup.error', { setup: setup.id, error: (err as Error)?.stack ?? String(err) });
        await fail(setup.id, message).catch(() => undefined);
      }).finally(() => logger.info('app_setup.finish', { setup: setup.id, app: app.name }));
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      return setup;
    },

    /** A setup the user can see (through its app). */
    async get(user: UserRecord, id: string): Promise<{ setup: AppSetupRecord; app: AppRecord }> {
      const setup = /^[0-9a-f-]{36}$/i.test(id) ? await store.appSetups.get(id) : undefined;
      const app = setup ? await store.apps.get(setup.appId) : undefined;
      if (!setup || !app || !(await apps.canAccess(user, app))) throw new NotFoundError('app-setup');
      return { setup, app };
    },

    /** The app's stored app.json (success_url and the like). */
    manifest: async (appId: string) => (await store.appManifests.get(appId))?.manifest ?? {},

    async stop(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

export type AppSetupService = ReturnType<typeof createAppSetupService>;
