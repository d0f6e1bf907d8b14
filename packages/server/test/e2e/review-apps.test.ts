/**
 * Issue 15, item 3 end to end: review apps. The real platform (child process, process runtime), a
 * `git http-backend` forge on loopback (test/helpers/git-forge.ts) holding the pipeline's
 * repository, GitHub-format push webhooks sent by the test, and the official `heroku` CLI for
 * `reviewapps:enable` and `reviewapps:create` (C2). A pushed branch gets its review app, configured
 * from its app.json (`environments.review`, a generated secret, `postdeploy`) and served through the
 * router; deleting the branch runs `pr-predestroy` and destroys it. The scripts report to a small
 * HTTP server of the test on loopback. Builds run without runc isolation: a
 * build's own network namespace cannot reach the forge on the host's loopback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { startGitForge, type GitForge } from '../helpers/git-forge.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, waitFor, type Checkout } from './deploy-helpers.js';

const PIPELINE = 'rapipe';
let platform: RunningPlatform;
let forge: GitForge;
let repoUrl: string;
let heroku: HerokuCli;
let co: Checkout;
let repo: { webhook_url: string; webhook_secret: string; full_name: string };
let hooks: http.Server;
let hooksPort = 0;
const scriptHits: string[] = [];
let ciState = 'pending';
const statusPolls: string[] = [];

interface ReviewApp { id: string; app: { id: string } | null; branch: string; status: string; message: string | null }

const call = <T>(method: string, p: string, body?: unknown) => api<T>(platform.url, platform.token, method, p, body);

async function webhook(branch: string, after: string) {
  const body = JSON.stringify({ ref: `refs/heads/${branch}`, before: '0'.repeat(40), after, deleted: /^0+$/.test(after), repository: { full_name: 'acme/shop' } });
  const res = await fetch(repo.webhook_url, {
    method: 'POST', body,
    headers: {
      'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', repo.webhook_secret).update(body).digest('hex')}`,
    },
  });
  return { status: res.status, body: (await res.json()) as { status: string; message: string; review_app: string | null } };
}

function viaRouter(app: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: platform.routerPort, path: '/', agent: false, timeout: 10_000, headers: { Host: `${app}.localhost:${platform.routerPort}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(res.statusCode === 200 ? text : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

async function pushBranch(branch: string, greeting: string, files: Record<string, string> = {}): Promise<string> {
  await co.git(['checkout', '--quiet', '-B', branch, 'main']);
  await writeFile(path.join(co.dir, 'web.js'), `require('node:http').createServer((req, res) => res.end(${JSON.stringify(greeting + '\n')})).listen(Number(process.env.PORT));\n`);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(co.dir, name), text);
  const sha = await co.commit(`${branch}: ${greeting}`);
  const r = await co.git(['push', '--quiet', '--force', repoUrl, `HEAD:refs/heads/${branch}`]);
  assert.equal(r.code, 0, r.output);
  return sha;
}

async function reviewAppOf(branch: string): Promise<ReviewApp | undefined> {
  return (await call<ReviewApp[]>('GET', `/pipelines/${PIPELINE}/review-apps`)).body.find((r) => r.branch === branch);
}

before(async () => {
  // The scripts' reports, and GitHub's combined-status API for wait-for-CI.
  hooks = http.createServer((req, res) => {
    if (req.url?.startsWith('/repos/')) {
      statusPolls.push(req.url);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ state: ciState, statuses: [] }));
      return;
    }
    scriptHits.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hooksPort = (hooks.address() as { port: number }).port;
  forge = await startGitForge();
  repoUrl = await forge.repo('acme/shop.git');
  // Stale after 20 s without a push (Heroku's 5 days), looked for every half second.
  platform = await startPlatform({ env: { SLIPWAY_BUILD_ISOLATION: 'none', SLIPWAY_REVIEW_APP_STALE_MS: '20000', SLIPWAY_REVIEW_APP_SWEEP_MS: '500', SLIPWAY_CI_POLL_MS: '200', SLIPWAY_CI_POLL_MAX_MS: '400' } });
  heroku = await herokuCli(platform);
  co = await checkout('procfile-app');
  assert.equal((await co.git(['push', '--quiet', repoUrl, 'HEAD:refs/heads/main'])).code, 0);
  assert.equal((await call('POST', '/apps', { name: `${PIPELINE}-staging` })).status, 201);
  const p = await call<{ id: string }>('POST', '/pipelines', { name: PIPELINE });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal((await call('POST', '/pipeline-couplings', { app: `${PIPELINE}-staging`, pipeline: p.body.id, stage: 'staging' })).status, 201);
  const put = await call<typeof repo>('PUT', `/pipelines/${PIPELINE}/repo-connection`, { repo_url: repoUrl });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  repo = put.body;
});

after(async () => {
  await platform?.stop();
  hooks?.close();
  await heroku?.close();
  await co?.close();
  await forge?.close();
});

test('heroku reviewapps:enable --autodeploy --autodestroy configures the pipeline (C2.1)', async () => {
  assert.equal(repo.full_name, 'acme/shop');
  const r = await heroku.run(['reviewapps:enable', '-p', PIPELINE, '--autodeploy', '--autodestroy']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Enabling auto deployment/);
  const cfg = await call<{ automatic_review_apps: boolean; destroy_stale_apps: boolean; repo: { name: string } }>('GET', `/pipelines/${PIPELINE}/review-app-config`);
  assert.deepEqual([cfg.body.automatic_review_apps, cfg.body.destroy_stale_apps, cfg.body.repo.name], [true, true, 'acme/shop']);
  // Autodestroy off again for the next tests (the last one turns it back on).
  const off = await heroku.run(['reviewapps:disable', '-p', PIPELINE, '--no-autodestroy']);
  assert.equal(off.code, 0, `${off.stdout}\n${off.stderr}`);
  const after = await call<{ automatic_review_apps: boolean; destroy_stale_apps: boolean }>('GET', `/pipelines/${PIPELINE}/review-app-config`);
  assert.deepEqual([after.body.automatic_review_apps, after.body.destroy_stale_apps], [true, false]);
});

test('a pushed branch gets its review app at stage review, configured from app.json and served; deleting the branch runs pr-predestroy and destroys it', async () => {
  const report = (what: string) => `node -e "fetch('http://127.0.0.1:${hooksPort}/${what}?app=' + process.env.HEROKU_APP_NAME + '&greeting=' + encodeURIComponent(process.env.GREETING || '')).then(() => console.log('${what} ran'))"`;
  const appJson = {
    env: { GREETING: { description: 'what the page says', required: true }, SECRET_KEY: { generator: 'secret' } },
    environments: { review: { env: { GREETING: 'hello from the review env' }, scripts: { postdeploy: report('postdeploy') } } },
    scripts: { 'pr-predestroy': report('predestroy') },
  };
  const sha = await pushBranch('feature-x', 'unused', {
    'app.json': JSON.stringify(appJson, null, 2),
    'web.js': "require('node:http').createServer((req, res) => res.end(process.env.GREETING + '\\n')).listen(Number(process.env.PORT));\n",
  });
  const hook = await webhook('feature-x', sha);
  assert.equal(hook.status, 202, JSON.stringify(hook.body));
  assert.equal(hook.body.status, 'created');
  const ra = await waitFor('the review app to be created', async () => {
    const x = await reviewAppOf('feature-x');
    if (x?.status === 'errored') throw new Error(`review app errored: ${x.message}`);
    return x?.status === 'created' ? x : undefined;
  }, 180_000);
  const app = (await call<{ name: string; id: string }>('GET', `/apps/${ra.app!.id}`)).body;
  assert.equal(app.name, `${PIPELINE}-feature-x`);
  const coupling = (await call<{ stage: string; pipeline: { name: string } }>('GET', `/apps/${app.name}/pipeline-couplings`)).body;
  assert.deepEqual([coupling.stage, coupling.pipeline.name], ['review', PIPELINE]);
  const served = await waitFor('the review app to answer with its review env', async () => {
    const text = await viaRouter(app.name);
    return text === 'hello from the review env\n' ? text : undefined;
  }, 120_000);
  assert.ok(served);
  const vars = (await call<Record<string, string>>('GET', `/apps/${app.name}/config-vars`)).body;
  assert.match(vars.SECRET_KEY ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(scriptHits.filter((h) => h.startsWith('/postdeploy')), [`/postdeploy?app=${app.name}&greeting=hello%20from%20the%20review%20env`]);
  // The official CLI sees it as a review app.
  const wait = await heroku.run(['reviewapps:wait', app.name]);
  assert.equal(wait.code, 0, `${wait.stdout}\n${wait.stderr}`);

  assert.equal((await co.git(['push', '--quiet', repoUrl, ':refs/heads/feature-x'])).code, 0);
  const gone = await webhook('feature-x', '0'.repeat(40));
  assert.equal(gone.status, 200, JSON.stringify(gone.body));
  assert.equal(gone.body.status, 'destroyed');
  assert.deepEqual(scriptHits.filter((h) => h.startsWith('/predestroy')), [`/predestroy?app=${app.name}&greeting=hello%20from%20the%20review%20env`]);
  assert.equal((await call('GET', `/apps/${app.name}`)).status, 404);
  assert.equal(await reviewAppOf('feature-x'), undefined);
  // A push to the mainline never makes a review app of its own.
  assert.equal((await webhook('main', await co.git(['rev-parse', 'main']).then((r) => r.output.trim()))).body.status, 'ignored');
});

test('heroku reviewapps:create -p P -b BRANCH builds the branch\'s tip as a review app (C2.2)', async () => {
  const sha = await pushBranch('feature-y', 'hello from feature-y');
  const r = await heroku.run(['reviewapps:create', '-p', PIPELINE, '-b', 'feature-y', '--wait-interval', '1']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(`${r.stdout}${r.stderr}`, new RegExp(`reviewapps:wait ${PIPELINE}-feature-y`));
  const ra = await waitFor('the review app of feature-y', async () => {
    const x = await reviewAppOf('feature-y');
    return x?.status === 'created' ? x : undefined;
  }, 180_000);
  const builds = (await call<{ source_blob: { version: string } }[]>('GET', `/apps/${ra.app!.id}/builds`)).body;
  assert.deepEqual(builds.map((b) => b.source_blob.version), [sha]);
  const missing = await heroku.run(['reviewapps:create', '-p', PIPELINE, '-b', 'no-such-branch']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /The branch no-such-branch doesn't exist/);
});

test('reviewapps:enable --wait-for-ci: a review app is built only once its commit\'s CI status is success', async () => {
  const refused = await heroku.run(['reviewapps:enable', '-p', PIPELINE, '--wait-for-ci']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /wait_for_ci needs the status API/);
  const put = await call('PUT', `/pipelines/${PIPELINE}/repo-connection`, { repo_url: repoUrl, ci_api_url: `http://127.0.0.1:${hooksPort}` });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const enabled = await heroku.run(['reviewapps:enable', '-p', PIPELINE, '--wait-for-ci']);
  assert.equal(enabled.code, 0, `${enabled.stdout}\n${enabled.stderr}`);
  ciState = 'pending';
  const sha = await pushBranch('feature-z', 'hello from feature-z');
  const hook = await webhook('feature-z', sha);
  assert.equal(hook.body.status, 'created', JSON.stringify(hook.body));
  await waitFor('three polls of the status API', async () => (statusPolls.length >= 3 ? true : undefined), 30_000);
  assert.ok(statusPolls.every((u) => u === `/repos/acme/shop/commits/${sha}/status`), statusPolls.join(' '));
  const pending = (await reviewAppOf('feature-z'))!;
  assert.equal(pending.status, 'pending');
  assert.deepEqual((await call<unknown[]>('GET', `/apps/${pending.app!.id}/builds`)).body, [], 'built while CI was pending');
  ciState = 'success';
  await waitFor('the review app of feature-z', async () => ((await reviewAppOf('feature-z'))?.status === 'created' ? true : undefined), 180_000);
  const builds = (await call<{ source_blob: { version: string } }[]>('GET', `/apps/${pending.app!.id}/builds`)).body;
  assert.deepEqual(builds.map((b) => b.source_blob.version), [sha]);
  const off = await heroku.run(['reviewapps:disable', '-p', PIPELINE, '--no-wait-for-ci']);
  assert.equal(off.code, 0, `${off.stdout}\n${off.stderr}`);
});

test('with --autodestroy, a review app without a push for the stale time is destroyed', async () => {
  const ra = await reviewAppOf('feature-y');
  assert.ok(ra?.app, 'the review app of the previous test');
  const r = await heroku.run(['reviewapps:enable', '-p', PIPELINE, '--autodestroy']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  await waitFor('the stale review app to be destroyed', async () => ((await call('GET', `/apps/${ra.app!.id}`)).status === 404 ? true : undefined), 90_000);
  assert.equal(await reviewAppOf('feature-y'), undefined);
});
