/**
 * App features (heroku-contract-2.md C9), what `heroku features`, `heroku labs` and their
 * `:enable`/`:disable` call: `GET /apps/:app/features`, `GET|PATCH /apps/:app/features/:feature`,
 * and the account's (`GET /account/features` — none — and `GET /account/features/:feature` — 404,
 * so `labs:enable F -a APP` falls back to the app's). Slipway's features:
 * - `preboot` (general): web dynos of a new release start before the old ones stop (the reconciler's
 *   start-first replacement); kept in the app's `preboot` column.
 * - `log-runtime-metrics` (beta): every 20 s per dyno, memory and load samples in the app's log in
 *   Heroku's format (metrics/runtime-log.ts).
 * - `runtime-dyno-metadata` (beta): HEROKU_APP_ID, HEROKU_APP_NAME, HEROKU_DYNO_ID,
 *   HEROKU_RELEASE_VERSION, HEROKU_SLUG_COMMIT in every dyno. Slipway always sets them: it is
 *   always enabled, and disabling it is refused.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidParamsError, NotFoundError } from '../../errors.js';
import type { AppRecord } from '../../store/types.js';
import type { Route } from '../http/index.js';
import { body } from '../validate.js';
import { loadApp, type RouteDeps } from './deps.js';

interface FeatureDef {
  name: string;
  state: 'general' | 'beta';
  displayName: string;
  description: string;
  docUrl: string;
}

export const APP_FEATURES: readonly FeatureDef[] = [
  { name: 'log-runtime-metrics', state: 'beta', displayName: 'Log runtime metrics', description: 'Emit dyno resource usage information into app logs', docUrl: 'https://devcenter.heroku.com/articles/log-runtime-metrics' },
  { name: 'preboot', state: 'general', displayName: 'Preboot', description: 'Provide seamless web dyno deploys', docUrl: 'https://devcenter.heroku.com/articles/preboot' },
  { name: 'runtime-dyno-metadata', state: 'beta', displayName: 'Runtime dyno metadata', description: 'Provide metadata about the app and dyno in environment variables', docUrl: 'https://devcenter.heroku.com/articles/dyno-metadata' },
];

/** A stable UUID for a feature name (the same id on every Slipway). */
function featureId(name: string): string {
  const h = createHash('sha256').update(`slipway-app-feature:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The account feature the official CLI checks before reading a pipeline's repository. */
const REPOSITORIES_API = { name: 'dashboard-repositories-api', display_name: 'Repositories API', description: 'Pipelines read their repository from the Platform API', state: 'general', doc_url: null };

const PatchFeature = z.strictObject({ enabled: z.boolean() });

export function featureRoutes(deps: RouteDeps): Route[] {
  const { store, apps } = deps;

  async function enabled(app: AppRecord, f: FeatureDef): Promise<boolean> {
    if (f.name === 'preboot') return app.preboot;
    if (f.name === 'runtime-dyno-metadata') return true;
    return (await store.appFeatures.get(app.id, f.name)) ?? false;
  }

  async function present(app: AppRecord, f: FeatureDef) {
    const at = app.createdAt.toISOString();
    return {
      id: featureId(f.name), name: f.name, display_name: f.displayName, description: f.description, doc_url: f.docUrl,
      state: f.state, enabled: await enabled(app, f), feedback_email: null, created_at: at, updated_at: app.updatedAt.toISOString(),
    };
  }

  const find = (name: string): FeatureDef => {
    const f = APP_FEATURES.find((x) => x.name === name);
    if (!f) throw new NotFoundError('feature', `Couldn't find that feature.`);
    return f;
  };

  return [
    {
      method: 'GET', path: '/apps/:app/features',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: await Promise.all(APP_FEATURES.map((f) => present(app, f))) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/features/:feature',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: await present(app, find(ctx.params.feature)) };
      },
    },
    {
      method: 'PATCH', path: '/apps/:app/features/:feature',
      handler: async (ctx) => {
        let app = await loadApp(deps, ctx);
        const f = find(ctx.params.feature);
        const input = await body(ctx, PatchFeature);
        if (f.name === 'preboot') app = await apps.update(ctx.user, app, { preboot: input.enabled });
        else if (f.name === 'runtime-dyno-metadata') {
          if (!input.enabled) throw new InvalidParamsError('runtime-dyno-metadata is always enabled on Slipway: every dyno gets its metadata variables.', 'enabled');
        } else await store.appFeatures.set(app.id, f.name, input.enabled);
        return { body: await present(app, f) };
      },
    },
    { method: 'GET', path: '/account/features', handler: async () => ({ body: [] }) },
    {
      method: 'GET', path: '/account/features/:feature',
      handler: async (ctx) => {
        // `reviewapps:enable` reads the pipeline's repository from Slipway (GET /pipelines/{id}/repo)
        // only when this answers enabled; otherwise it asks kolkrabbi.heroku.com (C2.1).
        if (ctx.params.feature === REPOSITORIES_API.name) return { body: { ...REPOSITORIES_API, id: featureId(REPOSITORIES_API.name), enabled: true } };
        throw new NotFoundError('feature', `Couldn't find that feature.`);
      },
    },
  ];
}
