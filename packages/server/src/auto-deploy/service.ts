/**
 * Auto-deploy: an app connected to a remote repository and branch builds each commit a push
 * webhook announces. The webhook is checked against the connection's secret (webhook.ts), recorded
 * by delivery id (a replay is answered, not built), and the commit is claimed once per connection
 * (a delivery replayed under a new id does not build twice either). With wait-for-CI, the commit
 * is deployed only once its combined status is success (ci-status.ts). The build goes through the
 * builder's own path (`deployCommit`: git fetch inside the build sandbox). Every decision is a line
 * in the app's log (`app[api]`).
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidParamsError, NotFoundError, SlipwayError } from '../errors.js';
import type { Builder } from '../builds/index.js';
import { isValidBranch, redactRepoUrl } from '../builds/index.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import type { AppRecord, RepoConnectionRecord, Store, UserRecord } from '../store/types.js';
import { combinedStatusUrl, waitForCi } from './ci-status.js';
import { isPushEvent, parsePush, verifyWebhook, type Headers } from './webhook.js';

export interface ConnectInput {
  repoUrl: string;
  branch?: string;
  waitForCi?: boolean;
  ciApiUrl?: string | null;
  ciToken?: string | null;
  rotateSecret?: boolean;
}

export type WebhookOutcome =
  | { status: 'deploying' | 'waiting_for_ci'; message: string; commit: string }
  | { status: 'ignored' | 'duplicate'; message: string; commit: string | null };

export interface AutoDeploy {
  get(app: AppRecord): Promise<RepoConnectionRecord>;
  connect(user: UserRecord, app: AppRecord, input: ConnectInput): Promise<RepoConnectionRecord>;
  disconnect(app: AppRecord): Promise<RepoConnectionRecord>;
  /** A push webhook for the app with this id; throws `unauthorized` when its proof is wrong. */
  receive(appId: string, headers: Headers, body: Buffer, remote: string): Promise<WebhookOutcome>;
  /** Resolves when every deploy started so far has finished (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface AutoDeployDeps {
  store: Store;
  builder: Pick<Builder, 'deployCommit' | 'waitForBuild'>;
  logs: LogSink;
  logger: Logger;
  ci: { firstDelayMs: number; maxDelayMs: number; timeoutMs: number };
  /** How long a deploy waits for a build of the same app already running. */
  busyWaitMs?: number;
}

const REPO_SCHEMES = new Set(['http:', 'https:', 'git:']);
const GITHUB_API = 'https://api.github.com';

function checkUrl(value: string, field: string, schemes: Set<string>): string {
  let u: URL | undefined;
  try {
    // eslint-disable-next-line no-control-regex -- control characters are what is looked for
    u = /[\u0000-\u0020\u007f]/.test(value) ? undefined : new URL(value);
  } catch {
    u = undefined;
  }
  if (!u || !schemes.has(u.protocol)) throw new InvalidParamsError(`${field} must be an absolute ${[...schemes].map((s) => s.slice(0, -1)).join(', ')} URL.`, field);
  return value;
}

export function createAutoDeploy(deps: AutoDeployDeps): AutoDeploy {
  const { store, logs } = deps;
  const log = deps.logger.child({ component: 'auto-deploy' });
  const tasks = new Set<{ abort: AbortController; done: Promise<void> }>();
  let stopping = false;
  const say = (appId: string, message: string) => logs.publish(appId, { source: 'app', dyno: 'api', message });

  async function connection(app: AppRecord): Promise<RepoConnectionRecord> {
    const c = await store.repoConnections.get(app.id);
    if (!c) throw new NotFoundError('repo_connection', `${app.name} is not connected to a code repository.`);
    return c;
  }

  function own(run: (signal: AbortSignal) => Promise<void>): void {
    const abort = new AbortController();
    const task = { abort, done: Promise.resolve() };
    task.done = run(abort.signal)
      .catch((err: unknown) => log.error('auto_deploy.failed', { error: (err as Error)?.stack ?? String(err) }))
      .finally(() => tasks.delete(task));
    tasks.add(task);
  }

  function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const t = setTimeout(() => resolve(true), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve(false);
      }, { once: true });
    });
  }

  /** Builds the commit, waiting for a running build of the app to end first. */
  async function deploy(app: AppRecord, conn: RepoConnectionRecord, sha: string, signal: AbortSignal): Promise<void> {
    const user = await store.users.get(conn.userId);
    if (!user) {
      say(app.id, `Auto-deploy of ${sha.slice(0, 7)} skipped: the user who connected the repository no longer exists`);
      return;
    }
    const until = Date.now() + (deps.busyWaitMs ?? 30 * 60_000);
    for (;;) {
      try {
        const build = await deps.builder.deployCommit({ app, user, commit: { url: conn.repoUrl, branch: conn.branch, sha } });
        say(app.id, `Auto-deploy of ${conn.branch} at ${sha.slice(0, 7)} started (build ${build.id})`);
        log.info('auto_deploy.build', { app: app.name, commit: sha, build: build.id });
        // Shutdown does not wait for the build (the builder aborts it on its own stop).
        await Promise.race([deps.builder.waitForBuild(build.id), new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
        return;
      } catch (err) {
        if (!(err instanceof ConflictError) || Date.now() > until) throw err;
        if (!(await sleep(1000, signal))) return;
      }
    }
  }

  return {
    get: connection,

    async connect(user, app, input) {
      const repoUrl = checkUrl(input.repoUrl, 'repo_url', REPO_SCHEMES);
      const branch = input.branch ?? 'main';
      if (!isValidBranch(branch)) throw new InvalidParamsError('branch is not a valid branch name.', 'branch');
      const existing = await store.repoConnections.get(app.id);
      let ciApiUrl = input.ciApiUrl === undefined ? existing?.ciApiUrl ?? null : input.ciApiUrl;
      if (ciApiUrl !== null) checkUrl(ciApiUrl, 'ci_api_url', new Set(['http:', 'https:']));
      const waitForCi = input.waitForCi ?? existing?.waitForCi ?? false;
      if (waitForCi && ciApiUrl === null) {
        if (new URL(repoUrl).hostname === 'github.com') ciApiUrl = GITHUB_API;
        else throw new InvalidParamsError('wait_for_ci needs ci_api_url: the forge\'s API base URL (https://gitea.example/api/v1, https://api.github.com).', 'ci_api_url');
      }
      if (waitForCi && !combinedStatusUrl(ciApiUrl!, repoUrl, '0'.repeat(40))) {
        throw new InvalidParamsError('wait_for_ci needs a repo_url of the form https://host/owner/repo.', 'repo_url');
      }
      const conn = await store.repoConnections.put({
        appId: app.id, repoUrl, branch, waitForCi, ciApiUrl,
        ciToken: input.ciToken === undefined ? existing?.ciToken ?? null : input.ciToken,
        webhookSecret: existing && !input.rotateSecret ? existing.webhookSecret : randomBytes(32).toString('hex'),
        userId: user.id,
      });
      say(app.id, `Connected to ${redactRepoUrl(repoUrl)} (branch ${branch}${waitForCi ? ', waiting for CI' : ''}) by user ${user.email}`);
      return conn;
    },

    async disconnect(app) {
      const conn = await connection(app);
      await store.repoConnections.delete(app.id);
      say(app.id, `Disconnected from ${redactRepoUrl(conn.repoUrl)}`);
      return conn;
    },

    async receive(appId, headers, body, remote) {
      const app = await store.apps.get(appId);
      const conn = app && (await store.repoConnections.get(app.id));
      if (!app || !conn) throw new NotFoundError('repo_connection', 'No app with this id is connected to a code repository.');
      const verdict = verifyWebhook(headers, body, conn.webhookSecret);
      if (!verdict.ok) {
        say(app.id, `Push webhook refused: ${verdict.reason} (from ${remote}${verdict.forge ? `, ${verdict.forge}` : ''})`);
        log.warn('auto_deploy.refused', { app: app.name, reason: verdict.reason, remote });
        throw new SlipwayError('unauthorized', `Webhook refused: ${verdict.reason}.`);
      }
      if (!isPushEvent(verdict.event)) return { status: 'ignored', message: `Event ${verdict.event || '(none)'} is not a push.`, commit: null };
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        throw new SlipwayError('bad_request', 'The webhook body is not JSON (set the content type to application/json).');
      }
      const push = parsePush(payload);
      if (!push) return { status: 'ignored', message: 'Not a push to a branch.', commit: null };
      if (push.branch !== conn.branch) return { status: 'ignored', message: `Push to ${push.branch}; this app deploys ${conn.branch}.`, commit: push.sha };
      if (!push.sha) return { status: 'ignored', message: `Branch ${push.branch} was deleted.`, commit: null };
      const sha = push.sha;
      if (verdict.deliveryId && !(await store.repoConnections.recordDelivery(app.id, verdict.deliveryId))) {
        say(app.id, `Push webhook delivery ${verdict.deliveryId} was already received: not built again`);
        return { status: 'duplicate', message: `Delivery ${verdict.deliveryId} was already received.`, commit: sha };
      }
      if (!(await store.repoConnections.claimCommit(app.id, sha))) {
        say(app.id, `Push of ${sha.slice(0, 7)} was already deployed from this connection: not built again`);
        return { status: 'duplicate', message: `Commit ${sha} was already deployed.`, commit: sha };
      }
      if (stopping) throw new SlipwayError('unavailable', 'The platform is shutting down.');
      say(app.id, `Push to ${conn.branch} at ${sha.slice(0, 7)} received from ${verdict.forge}${verdict.deliveryId ? ` (delivery ${verdict.deliveryId})` : ''}`);
      if (!conn.waitForCi) {
        own((signal) => deploy(app, conn, sha, signal));
        return { status: 'deploying', message: `Deploying ${sha}.`, commit: sha };
      }
      const statusUrl = combinedStatusUrl(conn.ciApiUrl ?? GITHUB_API, conn.repoUrl, sha)!;
      own(async (signal) => {
        const outcome = await waitForCi({
          statusUrl, token: conn.ciToken, firstDelayMs: deps.ci.firstDelayMs, maxDelayMs: deps.ci.maxDelayMs, timeoutMs: deps.ci.timeoutMs, signal,
          onState: (state) => say(app.id, `CI status of ${sha.slice(0, 7)}: ${state}`),
        });
        if (outcome === 'success') await deploy(app, conn, sha, signal);
        else if (outcome !== 'aborted') say(app.id, `Auto-deploy of ${sha.slice(0, 7)} skipped: CI ${outcome === 'timeout' ? 'did not finish in time' : `reported ${outcome}`}`);
      });
      return { status: 'waiting_for_ci', message: `Deploying ${sha} once its CI status is success.`, commit: sha };
    },

    async idle() {
      while (tasks.size > 0) await Promise.all([...tasks].map((t) => t.done));
    },

    async stop() {
      stopping = true;
      for (const t of tasks) t.abort.abort();
      await Promise.all([...tasks].map((t) => t.done));
    },
  };
}
