/**
 * Releases: list (Range by version, `order=desc` honoured), one (by version or id), its config
 * vars, and `POST` in its two forms: rollback `{release}` and create `{slug, description}`.
 */
import { z } from 'zod';
import { SlipwayError } from '../../errors.js';
import type { AppRecord, Page, ReleaseRecord } from '../../store/types.js';
import type { Route } from '../http/index.js';
import { toRelease } from '../present.js';
import { formatNextRange, parseRange, type RangeSpec } from '../range.js';
import { check } from '../validate.js';
import { loadApp, userLookup, type RouteDeps } from './deps.js';

const Rollback = z.strictObject({ release: z.union([z.string().min(1), z.number().int().positive()]) });
const CreateRelease = z.strictObject({ slug: z.string().min(1), description: z.string().max(1000).optional() });

export function releasePage(spec: RangeSpec): Page {
  let after: number | undefined;
  if (spec.start !== undefined) {
    const v = Number(spec.start.replace(/^v/i, ''));
    if (!Number.isInteger(v)) throw new SlipwayError('requested_range_not_satisfiable', `Invalid Range: "${spec.start}" is not a release version.`);
    after = spec.startExclusive ? v : spec.order === 'desc' ? v + 1 : v - 1;
  }
  return { after, limit: spec.max + 1, order: spec.order };
}

export function releaseRoutes(deps: RouteDeps): Route[] {
  const { apps, store } = deps;

  async function presenter(app: AppRecord) {
    const users = userLookup(store);
    const current = (await store.releases.current(app.id))?.id;
    const outputs = new Map<string, string>();
    if (deps.buildOutputUrl) {
      for (const b of await store.builds.list(app.id)) if (b.releaseId) outputs.set(b.releaseId, deps.buildOutputUrl(app.id, b.id));
    }
    return async (r: ReleaseRecord) => toRelease(app, r, await users(r.userId), current, outputs.get(r.id) ?? null);
  }

  return [
    {
      method: 'GET', path: '/apps/:app/releases',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const spec = parseRange(ctx.req.headers.range, { keys: ['version'] });
        const got = await apps.listReleases(app, releasePage(spec));
        const items = got.slice(0, spec.max);
        const present = await presenter(app);
        const body = await Promise.all(items.map(present));
        if (got.length <= spec.max) return { body };
        return { status: 206, headers: { 'Next-Range': formatNextRange(spec, items[items.length - 1].version) }, body };
      },
    },
    {
      method: 'GET', path: '/apps/:app/releases/:release',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const release = await apps.getRelease(app, ctx.params.release);
        return { body: await (await presenter(app))(release) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/releases/:release/config-vars',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        return { body: (await apps.getRelease(app, ctx.params.release)).config };
      },
    },
    {
      method: 'POST', path: '/apps/:app/releases',
      handler: async (ctx) => {
        const app = await loadApp(deps, ctx);
        const raw = await ctx.json();
        let release: ReleaseRecord;
        if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'release' in raw) {
          const input = check(Rollback, raw);
          release = await apps.rollback(ctx.user, app, String(input.release));
        } else {
          const input = check(CreateRelease, raw);
          const slug = await store.slugs.get(app.id, input.slug);
          const description = input.description ?? `Deploy ${slug?.commit ? slug.commit.slice(0, 7) : input.slug.slice(0, 8)}`;
          release = await apps.deployRelease({ app, slugId: input.slug, description, user: ctx.user });
        }
        return { status: 201, body: await (await presenter(app))(release) };
      },
    },
  ];
}
