/**
 * Review apps (heroku-contract-2.md C2): `POST|PATCH|GET|DELETE /pipelines/{p}/review-app-config`,
 * `GET /pipelines/{p}/repo` and `…/repo/branches/{branch}` (what `reviewapps:enable/create` read),
 * `POST /review-apps`, `GET|DELETE /review-apps/{id}`, `GET /apps/{app}/review-app`,
 * `GET /pipelines/{p}/review-apps`; Slipway's own `GET|PUT|DELETE /pipelines/{p}/repo-connection`
 * and the pipeline repository's push webhook `POST /repo-hooks/pipelines/{pipeline id}`.
 * See docs/review-apps.md.
 */
import { z } from 'zod';
import { repoFullName } from '../../auto-deploy/index.js';
import { redactRepoUrl } from '../../builds/index.js';
import { NotFoundError } from '../../errors.js';
import type { PipelineService } from '../../pipelines/index.js';
import type { ReviewApps } from '../../review-apps/index.js';
import type { PipelineRecord, PipelineRepoRecord, ReviewAppConfigRecord, ReviewAppRecord } from '../../store/types.js';
import { readBody, type Route } from '../http/index.js';
import { body } from '../validate.js';
import { MAX_WEBHOOK_BODY } from './repo-connections.js';

export interface ReviewAppRouteDeps {
  pipelines: Pick<PipelineService, 'pipeline' | 'app'>;
  reviewApps: ReviewApps;
  baseUrl(): string;
  staleDays: number;
}

const ConfigBody = z.object({
  automatic_review_apps: z.boolean().optional(),
  destroy_stale_apps: z.boolean().optional(),
  wait_for_ci: z.boolean().optional(),
  pipeline: z.string().optional(),
  repo: z.string().optional(),
  stale_days: z.number().int().min(1).max(30).optional(),
  deploy_target: z.unknown().optional(),
});
const CreateBody = z.object({
  branch: z.string().min(1).max(200),
  pipeline: z.string().min(1),
  source_blob: z.object({ url: z.string().optional(), version: z.string().nullable().optional() }).optional(),
  environment: z.record(z.string(), z.string()).optional(),
});
const RepoBody = z.strictObject({
  repo_url: z.string().min(1).max(2000),
  rotate_secret: z.boolean().optional(),
  ci_api_url: z.string().min(1).max(2000).nullable().optional(),
  ci_token: z.string().min(1).max(2000).nullable().optional(),
});

export function reviewAppRoutes(deps: ReviewAppRouteDeps): Route[] {
  const { reviewApps } = deps;
  const fullName = (r: PipelineRepoRecord) => decodeURIComponent(repoFullName(r.repoUrl) ?? redactRepoUrl(r.repoUrl));
  const presentRepo = (p: PipelineRecord, r: PipelineRepoRecord) => ({
    id: p.id, full_name: fullName(r), repo_url: redactRepoUrl(r.repoUrl), pipeline: { id: p.id, name: p.name },
    webhook_url: `${deps.baseUrl()}/repo-hooks/pipelines/${p.id}`, webhook_secret: r.webhookSecret, ci_api_url: r.ciApiUrl, ci_token_set: r.ciToken !== null,
    created_at: r.createdAt.toISOString(), updated_at: r.updatedAt.toISOString(),
  });
  const presentConfig = (p: PipelineRecord, c: ReviewAppConfigRecord, r: PipelineRepoRecord | undefined) => ({
    pipeline_id: p.id, repo: { id: p.id, name: r ? fullName(r) : null }, automatic_review_apps: c.automaticReviewApps,
    destroy_stale_apps: c.destroyStaleApps, stale_days: c.destroyStaleApps ? deps.staleDays : null, wait_for_ci: c.waitForCi,
    deploy_target: null, base_name: p.name, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(),
  });
  const present = (ra: ReviewAppRecord) => ({
    id: ra.id, app: ra.appId ? { id: ra.appId } : null, branch: ra.branch, pipeline: { id: ra.pipelineId }, status: ra.status,
    message: ra.message, error_status: ra.status === 'errored' ? 'build_failed' : null, commit: ra.commit, pr_number: null,
    creator: { id: ra.userId }, wait_for_ci: ra.status === 'pending', fork_repo: null, app_setup: null,
    created_at: ra.createdAt.toISOString(), updated_at: ra.updatedAt.toISOString(),
  });
  const pipelineOf = (ctx: { user: Parameters<PipelineService['pipeline']>[0]; params: Record<string, string> }) => deps.pipelines.pipeline(ctx.user, ctx.params.pipeline);

  const writeConfig = async (ctx: Parameters<Route['handler']>[0]) => {
    const p = await pipelineOf(ctx);
    const input = await body(ctx, ConfigBody);
    const c = await reviewApps.configure(p, { automatic: input.automatic_review_apps, destroyStale: input.destroy_stale_apps, waitForCi: input.wait_for_ci });
    return { body: presentConfig(p, c, await reviewApps.repoOf(p)) };
  };

  return [
    {
      method: 'GET', path: '/pipelines/:pipeline/repo-connection',
      handler: async (ctx) => {
        const p = await pipelineOf(ctx);
        return { body: presentRepo(p, await reviewApps.repoOf(p)) };
      },
    },
    {
      method: 'PUT', path: '/pipelines/:pipeline/repo-connection',
      handler: async (ctx) => {
        const p = await pipelineOf(ctx);
        const input = await body(ctx, RepoBody);
        return { body: presentRepo(p, await reviewApps.connectRepo(ctx.user, p, { repoUrl: input.repo_url, rotateSecret: input.rotate_secret, ciApiUrl: input.ci_api_url, ciToken: input.ci_token })) };
      },
    },
    {
      method: 'DELETE', path: '/pipelines/:pipeline/repo-connection',
      handler: async (ctx) => {
        const p = await pipelineOf(ctx);
        return { body: presentRepo(p, await reviewApps.disconnectRepo(p)) };
      },
    },
    {
      method: 'GET', path: '/pipelines/:pipeline/repo',
      handler: async (ctx) => {
        const p = await pipelineOf(ctx);
        return { body: presentRepo(p, await reviewApps.repoOf(p)) };
      },
    },
    {
      method: 'GET', path: '/pipelines/:pipeline/repo/branches/:branch',
      handler: async (ctx) => {
        const p = await pipelineOf(ctx);
        const sha = await reviewApps.branchTip(p, ctx.params.branch);
        if (!sha) throw new NotFoundError('branch', `The branch ${ctx.params.branch} doesn't exist.`);
        return { body: { name: ctx.params.branch, commit: { sha } } };
      },
    },
    {
      method: 'GET', path: '/pipelines/:pipeline/review-app-config',
      handler: async (ctx) => {
        const p = await pipelineOf(ctx);
        return { body: presentConfig(p, await reviewApps.config(p), await reviewApps.repoOf(p).catch(() => undefined)) };
      },
    },
    { method: 'POST', path: '/pipelines/:pipeline/review-app-config', handler: writeConfig },
    { method: 'PATCH', path: '/pipelines/:pipeline/review-app-config', handler: writeConfig },
    {
      method: 'DELETE', path: '/pipelines/:pipeline/review-app-config',
      handler: async (ctx) => {
        const p = await pipelineOf(ctx);
        const c = await reviewApps.config(p);
        await reviewApps.disable(p);
        return { body: presentConfig(p, c, await reviewApps.repoOf(p).catch(() => undefined)) };
      },
    },
    {
      method: 'GET', path: '/pipelines/:pipeline/review-apps',
      handler: async (ctx) => {
        const p = await pipelineOf(ctx);
        return { body: (await reviewApps.list(p)).map(present) };
      },
    },
    {
      method: 'POST', path: '/review-apps',
      handler: async (ctx) => {
        const input = await body(ctx, CreateBody);
        const p = await deps.pipelines.pipeline(ctx.user, input.pipeline);
        return { status: 201, body: present(await reviewApps.createFor(ctx.user, p, input.branch)) };
      },
    },
    {
      method: 'GET', path: '/review-apps/:id',
      handler: async (ctx) => {
        const ra = await reviewApps.get(ctx.params.id);
        await deps.pipelines.pipeline(ctx.user, ra.pipelineId);
        return { body: present(ra) };
      },
    },
    {
      method: 'DELETE', path: '/review-apps/:id',
      handler: async (ctx) => {
        const ra = await reviewApps.get(ctx.params.id);
        await deps.pipelines.pipeline(ctx.user, ra.pipelineId);
        return { body: present(await reviewApps.destroy(ra)) };
      },
    },
    {
      method: 'GET', path: '/apps/:app/review-app',
      handler: async (ctx) => {
        const app = await deps.pipelines.app(ctx.user, ctx.params.app);
        const ra = await reviewApps.forApp(app.id);
        return { body: present(ra) };
      },
    },
    {
      method: 'POST', path: '/repo-hooks/pipelines/:pipeline_id', auth: false,
      handler: async (ctx) => {
        const raw = await readBody(ctx.req, MAX_WEBHOOK_BODY);
        const outcome = await reviewApps.receive(ctx.params.pipeline_id, ctx.req.headers, raw, ctx.req.socket.remoteAddress ?? '');
        return { status: outcome.status === 'created' || outcome.status === 'updated' ? 202 : 200, body: outcome };
      },
    },
  ];
}
