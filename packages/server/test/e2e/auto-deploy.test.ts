/**
 * Issue 15, item 4 end to end: auto-deploy from a code repository. The real platform (child
 * process, process runtime) and, in this test, a real git server on loopback (`git http-backend`
 * behind a small node HTTP server, test/helpers/git-forge.ts; a bare repository the test pushes to) and a real HTTP server
 * answering GitHub's combined-status API. The test sends GitHub-format push webhooks signed with
 * the connection's secret (and GitLab and Gitea ones): Slipway fetches exactly the announced commit and builds it; a wrong
 * signature is refused and logged; a replayed delivery builds nothing; with wait-for-CI nothing is
 * built until the status turns success. Builds run without runc isolation
 * (SLIPWAY_BUILD_ISOLATION=none): a build's own network namespace cannot reach the test's
 * servers on the host's loopback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGitForge, type GitForge } from '../helpers/git-forge.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, waitFor, type Checkout } from './deploy-helpers.js';

const APP = 'autodeploy-e2e';
let platform: RunningPlatform;
let forge: GitForge;
let repoUrl: string;
let statusServer: Server;
let statusUrl: string;
let ciState = 'pending';
const statusPolls: string[] = [];
let co: Checkout;

interface Connection { webhook_url: string; webhook_secret: string; branch: string; last_commit: string | null }
interface Build { id: string; status: string; source_blob: { version: string | null }; output_stream_url: string; release: { id: string } | null; slug: { id: string } | null }
interface Release { id: string; version: number; description: string; slug: { id: string } | null }

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const call = <T>(method: string, p: string, body?: unknown) => api<T>(platform.url, platform.token, method, p, body);

/** A GitHub push webhook for `sha` on `branch`, signed with `secret` (or not). */
async function pushWebhook(conn: Connection, sha: string, opts: { secret?: string; delivery?: string; branch?: string } = {}) {
  const body = JSON.stringify({
    ref: `refs/heads/${opts.branch ?? 'main'}`, before: '0'.repeat(40), after: sha, deleted: false, created: false,
    repository: { full_name: 'acme/widgets', clone_url: repoUrl }, head_commit: { id: sha, message: 'x' }, pusher: { name: 'test' },
  });
  const signature = `sha256=${createHmac('sha256', opts.secret ?? conn.webhook_secret).update(body).digest('hex')}`;
  const res = await fetch(conn.webhook_url, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': opts.delivery ?? randomUUID(), 'x-hub-signature-256': signature, 'user-agent': 'GitHub-Hookshot/test' },
  });
  return { status: res.status, body: (await res.json()) as { id?: string; message: string; status?: string; commit?: string } };
}

async function builds(): Promise<Build[]> {
  return (await call<Build[]>('GET', `/apps/${APP}/builds`)).body;
}

async function finishedBuildOf(sha: string): Promise<Build> {
  return waitFor(`the build of ${sha}`, async () => {
    const b = (await builds()).find((x) => x.source_blob.version === sha);
    return b && b.status !== 'pending' ? b : undefined;
  }, 180_000);
}

async function appLog(): Promise<string> {
  const s = await call<{ logplex_url: string }>('POST', `/apps/${APP}/log-sessions`, { lines: 1500, tail: false });
  return (await (await fetch(s.body.logplex_url, { headers: { Accept: 'text/event-stream' } })).text());
}

before(async () => {
  forge = await startGitForge();
  repoUrl = await forge.repo('acme/widgets.git');
  statusServer = createServer((req, res) => {
    statusPolls.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ state: ciState, statuses: [] }));
  });
  statusUrl = await listen(statusServer);
  platform = await startPlatform({ env: { SLIPWAY_BUILD_ISOLATION: 'none', SLIPWAY_CI_POLL_MS: '200', SLIPWAY_CI_POLL_MAX_MS: '400' } });
  assert.equal((await call('POST', '/apps', { name: APP })).status, 201);
  co = await checkout('procfile-app');
});

after(async () => {
  await platform?.stop();
  statusServer?.close();
  await co?.close();
  await forge?.close();
});

/** Commits in the checkout and pushes to the forge's main; returns the sha. */
async function pushToForge(message: string): Promise<string> {
  const sha = await co.commit(message);
  const r = await co.git(['push', '--quiet', repoUrl, 'HEAD:refs/heads/main']);
  assert.equal(r.code, 0, r.output);
  return sha;
}

test('a signed GitHub push webhook builds exactly the announced commit; the release and the build output name it', async () => {
  const first = await co.sha();
  assert.equal((await co.git(['push', '--quiet', repoUrl, 'HEAD:refs/heads/main'])).code, 0);
  // The forge's main moves on: the webhook still names `first`, and that is what must be built.
  const second = await pushToForge('second commit');
  const put = await call<Connection>('PUT', `/apps/${APP}/repo-connection`, { repo_url: repoUrl, branch: 'main' });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.match(put.body.webhook_secret, /^[0-9a-f]{64}$/);
  assert.match(put.body.webhook_url, new RegExp(`/repo-hooks/[0-9a-f-]{36}$`));

  const hook = await pushWebhook(put.body, first);
  assert.equal(hook.status, 202, JSON.stringify(hook.body));
  assert.equal(hook.body.status, 'deploying');
  const build = await finishedBuildOf(first);
  const output = await (await fetch(build.output_stream_url)).text();
  assert.equal(build.status, 'succeeded', output);
  assert.match(output, new RegExp(`Fetching main at ${first} from ${repoUrl}`));
  const releases = (await call<Release[]>('GET', `/apps/${APP}/releases`)).body;
  const release = releases.find((r) => r.id === build.release!.id)!;
  assert.equal(release.description, `Deploy ${first.slice(0, 7)}`);
  const slug = (await call<{ commit: string; commit_description: string }>('GET', `/apps/${APP}/slugs/${release.slug!.id}`)).body;
  assert.equal(slug.commit, first);
  // The subject comes from the fetched commit itself, not from the webhook's payload ('x').
  assert.equal(slug.commit_description, 'procfile-app: initial commit');
  assert.notEqual(first, second);
  assert.equal((await builds()).length, 1);
});

test('bad connection input is a 422 naming the field, and leaves the connection as it was', async () => {
  const before = (await call<Connection>('GET', `/apps/${APP}/repo-connection`)).body;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ repo_url: 'file:///etc' }, /repo_url must be an absolute http, https, git URL/],
    [{ repo_url: '/srv/git/widgets.git' }, /repo_url/],
    [{ repo_url: 'https://git.example/a\n/b.git' }, /repo_url/],
    [{ repo_url: repoUrl, branch: '--upload-pack=touch /tmp/x' }, /branch is not a valid branch name/],
    [{ repo_url: repoUrl, wait_for_ci: true }, /wait_for_ci needs ci_api_url/],
    [{ repo_url: repoUrl, ci_api_url: 'ftp://ci.example' }, /ci_api_url must be/],
    [{ repo_url: repoUrl, extra: 1 }, /extra/],
  ];
  for (const [body, message] of cases) {
    const r = await call<{ id: string; message: string }>('PUT', `/apps/${APP}/repo-connection`, body);
    assert.equal(r.status, 422, JSON.stringify([body, r.body]));
    assert.equal(r.body.id, 'invalid_params');
    assert.match(r.body.message, message);
  }
  assert.deepEqual((await call<Connection>('GET', `/apps/${APP}/repo-connection`)).body, before);
});

test('a webhook with a wrong signature is refused (401, Heroku-style error) and logged in the app\'s log; nothing builds', async () => {
  const conn = (await call<Connection>('GET', `/apps/${APP}/repo-connection`)).body;
  const sha = await pushToForge('third commit');
  const hook = await pushWebhook(conn, sha, { secret: 'not-the-secret' });
  assert.equal(hook.status, 401);
  assert.equal(hook.body.id, 'unauthorized');
  assert.match(hook.body.message, /signature does not match/);
  const log = await waitFor('the refusal in the app log', async () => {
    const text = await appLog();
    return /Push webhook refused: signature does not match \(from [^,]+, github\)/.test(text) ? text : undefined;
  }, 10_000);
  assert.ok(log);
  assert.equal((await builds()).filter((b) => b.source_blob.version === sha).length, 0);
  // An unknown app id is a 404, not a hint about signatures.
  const unknown = await fetch(conn.webhook_url.replace(/[0-9a-f-]{36}$/, randomUUID()), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-github-event': 'push' } });
  assert.equal(unknown.status, 404);
});

test('a replayed delivery does not build twice, nor does the same commit under a new delivery id', async () => {
  const conn = (await call<Connection>('GET', `/apps/${APP}/repo-connection`)).body;
  const sha = await co.sha();
  const delivery = randomUUID();
  const firstTime = await pushWebhook(conn, sha, { delivery });
  assert.equal(firstTime.status, 202, JSON.stringify(firstTime.body));
  const replay = await pushWebhook(conn, sha, { delivery });
  assert.equal(replay.status, 200);
  assert.equal(replay.body.status, 'duplicate');
  const sameCommit = await pushWebhook(conn, sha);
  assert.equal(sameCommit.status, 200);
  assert.equal(sameCommit.body.status, 'duplicate');
  const build = await finishedBuildOf(sha);
  assert.equal(build.status, 'succeeded');
  assert.equal((await builds()).filter((b) => b.source_blob.version === sha).length, 1);
  // A push to another branch is not this app's.
  const other = await pushWebhook(conn, sha, { branch: 'feature' });
  assert.equal(other.body.status, 'ignored');
});

test('GitLab (token) and Gitea (HMAC) push webhooks build their commits too', async () => {
  const conn = (await call<Connection>('GET', `/apps/${APP}/repo-connection`)).body;
  const gitlabSha = await pushToForge('gitlab commit');
  const gitlabBody = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', before: '0'.repeat(40), after: gitlabSha, checkout_sha: gitlabSha, project: { path_with_namespace: 'acme/widgets' } });
  const wrongToken = await fetch(conn.webhook_url, { method: 'POST', body: gitlabBody, headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess', 'x-gitlab-event-uuid': randomUUID() } });
  assert.equal(wrongToken.status, 401);
  const gitlab = await fetch(conn.webhook_url, { method: 'POST', body: gitlabBody, headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': conn.webhook_secret, 'x-gitlab-event-uuid': randomUUID() } });
  assert.equal(gitlab.status, 202, await gitlab.text());
  assert.equal((await finishedBuildOf(gitlabSha)).status, 'succeeded');

  const giteaSha = await pushToForge('gitea commit');
  const giteaBody = JSON.stringify({ ref: 'refs/heads/main', before: gitlabSha, after: giteaSha, repository: { full_name: 'acme/widgets' } });
  const gitea = await fetch(conn.webhook_url, {
    method: 'POST', body: giteaBody,
    headers: { 'content-type': 'application/json', 'x-gitea-event': 'push', 'x-gitea-delivery': randomUUID(), 'x-gitea-signature': createHmac('sha256', conn.webhook_secret).update(giteaBody).digest('hex') },
  });
  assert.equal(gitea.status, 202, await gitea.text());
  assert.equal((await finishedBuildOf(giteaSha)).status, 'succeeded');
});

test('wait for CI: nothing is built while the commit\'s status is pending; it deploys once the status turns success', async () => {
  const put = await call<Connection>('PUT', `/apps/${APP}/repo-connection`, { repo_url: repoUrl, wait_for_ci: true, ci_api_url: statusUrl });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const sha = await pushToForge('fourth commit');
  ciState = 'pending';
  const hook = await pushWebhook(put.body, sha);
  assert.equal(hook.status, 202);
  assert.equal(hook.body.status, 'waiting_for_ci');
  await waitFor('three polls of the status API', async () => (statusPolls.length >= 3 ? true : undefined), 30_000);
  assert.ok(statusPolls.every((u) => u === `/repos/acme/widgets/commits/${sha}/status`), statusPolls.join(' '));
  assert.equal((await builds()).filter((b) => b.source_blob.version === sha).length, 0, 'built while CI was pending');
  ciState = 'success';
  const build = await finishedBuildOf(sha);
  assert.equal(build.status, 'succeeded');
  const releases = (await call<Release[]>('GET', `/apps/${APP}/releases`)).body;
  assert.equal(releases.find((r) => r.id === build.release!.id)!.description, `Deploy ${sha.slice(0, 7)}`);
  assert.match(await appLog(), new RegExp(`CI status of ${sha.slice(0, 7)}: pending[\\s\\S]*CI status of ${sha.slice(0, 7)}: success`));
});
