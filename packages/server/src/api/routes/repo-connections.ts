/**
 * Auto-deploy from a code repository (Slipway's own API; Heroku keeps its GitHub integration
 * outside the Platform API): `GET|PUT|DELETE /apps/{app}/repo-connection`, and the push webhook
 * `POST /repo-hooks/{app id}` a forge calls — no token, the webhook's signature (or GitLab's token)
 * against the connection's secret is its authentication. Answers: 202 when a deploy (or the wait
 * for CI) started, 200 for a push that builds nothing (another branch, a replay), 401 for a wrong
 * signature (also a line in the app's log). See docs/auto-deploy.md.
 */
import { z } from 'zod';
import type { AppService } from '../../apps/index.js';
import type { AutoDeploy } from '../../auto-deploy/index.js';
import { redactRepoUrl } from '../../builds/index.js';
import type { AppRecord, RepoConnectionRecord } from '../../store/types.js';
import { readBody, type Route } from '../http/index.js';
import { body } from '../validate.js';

export interface RepoConnectionRouteDeps {
  apps: Pick<AppService, 'resolve'>;
  autoDeploy: AutoDeploy;
  /** The public base URL of the API (webhook URLs are built on it). */
  baseUrl(): string;
}

/** Push payloads of big pushes exceed the API's 1 MB JSON cap; forges stay under this. */
export const MAX_WEBHOOK_BODY = 8 * 1024 * 1024;

const PutConnection = z.strictObject({
  repo_url: z.string().min(1).max(2000),
  branch: z.string().min(1).max(200).optional(),
  wait_for_ci: z.boolean().optional(),
  ci_api_url: z.string().min(1).max(2000).nullable().optional(),
  ci_token: z.string().min(1).max(2000).nullable().optional(),
  rotate_secret: z.boolean().optional(),
});

export function repoConnectionRoutes(deps: RepoConnectionRouteDeps): Route[] {
  const present = (app: AppRecord, c: RepoConnectionRecord) => ({
    app: { id: app.id, name: app.name },
    repo_url: redactRepoUrl(c.repoUrl),
    branch: c.branch,
    auto_deploy: true,
    wait_for_ci: c.waitForCi,
    ci_api_url: c.ciApiUrl,
    ci_token_set: c.ciToken !== null,
    webhook_url: `${deps.baseUrl()}/repo-hooks/${app.id}`,
    webhook_secret: c.webhookSecret,
    last_commit: c.lastCommit,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  });

  return [
    {
      method: 'GET', path: '/apps/:app/repo-connection',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        return { body: present(app, await deps.autoDeploy.get(app)) };
      },
    },
    {
      method: 'PUT', path: '/apps/:app/repo-connection',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        const input = await body(ctx, PutConnection);
        const conn = await deps.autoDeploy.connect(ctx.user, app, {
          repoUrl: input.repo_url, branch: input.branch, waitForCi: input.wait_for_ci, ciApiUrl: input.ci_api_url,
          ciToken: input.ci_token, rotateSecret: input.rotate_secret,
        });
        return { body: present(app, conn) };
      },
    },
    {
      method: 'DELETE', path: '/apps/:app/repo-connection',
      async handler(ctx) {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        return { body: present(app, await deps.autoDeploy.disconnect(app)) };
      },
    },
    {
      method: 'POST', path: '/repo-hooks/:app_id', auth: false,
      async handler(ctx) {
        const raw = await readBody(ctx.req, MAX_WEBHOOK_BODY);
        const outcome = await deps.autoDeploy.receive(ctx.params.app_id, ctx.req.headers, raw, ctx.req.socket.remoteAddress ?? '');
        return { status: outcome.status === 'deploying' || outcome.status === 'waiting_for_ci' ? 202 : 200, body: outcome };
      },
    },
  ];
}
