/** What `slipway repo` and `repo:connect` print about a repository connection. */
import { header } from './styled.js';

export interface RepoConnection {
  app: { id: string; name: string };
  repo_url: string;
  branch: string;
  wait_for_ci: boolean;
  ci_api_url: string | null;
  webhook_url: string;
  webhook_secret: string;
  last_commit: string | null;
}

export function printConnection(ctx: { out(text?: string): void }, app: string, c: RepoConnection): void {
  ctx.out(header(`${app} repository`));
  ctx.out();
  ctx.out(`Repository:     ${c.repo_url}`);
  ctx.out(`Branch:         ${c.branch}`);
  ctx.out(`Wait for CI:    ${c.wait_for_ci ? `yes (${c.ci_api_url ?? ''})` : 'no'}`);
  ctx.out(`Webhook URL:    ${c.webhook_url}`);
  ctx.out(`Webhook secret: ${c.webhook_secret}`);
  ctx.out(`Last commit:    ${c.last_commit ?? 'none'}`);
}

/** A pipeline's repository (review apps): `slipway repo -p PIPELINE`. */
export interface PipelineRepoConnection {
  full_name: string;
  repo_url: string;
  webhook_url: string;
  webhook_secret: string;
}

export function printPipelineRepo(ctx: { out(text?: string): void }, pipeline: string, c: PipelineRepoConnection): void {
  ctx.out(header(`${pipeline} repository (review apps)`));
  ctx.out();
  ctx.out(`Repository:     ${c.repo_url}`);
  ctx.out(`Webhook URL:    ${c.webhook_url}`);
  ctx.out(`Webhook secret: ${c.webhook_secret}`);
}
