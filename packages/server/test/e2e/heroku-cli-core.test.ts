/**
 * The official heroku CLI (node_modules/.bin/heroku) against the real platform: apps, config,
 * releases, rollback, ps:scale, access, domains, maintenance — asserting on what it prints.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { seedSlug } from '../helpers/seed.js';

let platform: RunningPlatform;
let cli: HerokuCli;
before(async () => {
  platform = await startPlatform();
  cli = await herokuCli(platform);
});
after(async () => {
  await cli?.close();
  await platform?.stop();
});

async function heroku(...args: string[]): Promise<{ stdout: string; stderr: string; all: string }> {
  const r = await cli.run(args);
  const all = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `heroku ${args.join(' ')} exited ${r.code}:\n${all}`);
  return { ...r, all };
}

async function api(method: string, p: string, body?: unknown) {
  const res = await fetch(platform.url + p, {
    method,
    headers: { Authorization: `Bearer ${platform.token}`, Accept: 'application/vnd.heroku+json; version=3', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test('apps:create, apps, apps:info', async () => {
  const created = await heroku('apps:create', 'cli-app');
  assert.match(created.all, /Creating cli-app\.\.\. done/);
  assert.ok(created.stdout.includes(`http://cli-app.localhost:${platform.routerPort}/ | https://localhost:${platform.apiPort}/cli-app.git`), created.all);
  const generated = await heroku('apps:create');
  assert.match(generated.all, /Creating app\.\.\. done, [a-z]+-[a-z]+-\d{4}/);

  const apps = await heroku('apps');
  assert.match(apps.stdout, /=== admin@example\.com Apps/);
  assert.match(apps.stdout, /^cli-app$/m);

  const info = await heroku('apps:info', '-a', 'cli-app');
  assert.match(info.stdout, /=== cli-app/);
  assert.match(info.stdout, /Owner:\s+admin@example\.com/);
  assert.match(info.stdout, /Stack:\s+heroku-24/);
  assert.match(info.stdout, /Region:\s+us/);
  assert.ok(info.stdout.includes(`Git URL:        http://localhost:${platform.apiPort}/cli-app.git`), info.stdout);
  assert.ok(info.stdout.includes(`Web URL:        http://cli-app.localhost:${platform.routerPort}/`), info.stdout);
});

test('config:set, config, config:get, config:unset', async () => {
  const set = await heroku('config:set', 'FOO=bar', 'GREETING=hello world', '-a', 'cli-app');
  assert.match(set.all, /Setting FOO, GREETING and restarting cli-app\.\.\. done, v2/);
  assert.match(set.stdout, /FOO:\s+bar/);
  const config = await heroku('config', '-a', 'cli-app');
  assert.match(config.stdout, /=== cli-app Config Vars/);
  assert.match(config.stdout, /FOO:\s+bar/);
  assert.match(config.stdout, /GREETING:\s+hello world/);
  const get = await heroku('config:get', 'GREETING', '-a', 'cli-app');
  assert.equal(get.stdout.trim(), 'hello world');
  const unset = await heroku('config:unset', 'GREETING', '-a', 'cli-app');
  assert.match(unset.all, /Unsetting GREETING and restarting cli-app\.\.\. done, v3/);
  const after = await heroku('config', '-a', 'cli-app');
  assert.doesNotMatch(after.stdout, /GREETING/);
});

test('releases, releases:info, rollback', async () => {
  const releases = await heroku('releases', '-a', 'cli-app');
  assert.match(releases.stdout, /=== cli-app Releases - Current: v3/);
  assert.match(releases.stdout, /v3\s+Remove GREETING config vars\s+admin@example\.com/);
  assert.match(releases.stdout, /v2\s+Set FOO, GREETING config vars\s+admin@example\.com/);
  assert.match(releases.stdout, /v1\s+Initial release\s+admin@example\.com/);
  const info = await heroku('releases:info', 'v2', '-a', 'cli-app');
  assert.match(info.stdout, /=== Release v2/);
  assert.match(info.stdout, /Change:\s+Set FOO, GREETING config vars/);
  assert.match(info.stdout, /Eligible for Rollback\?: Yes/);
  assert.match(info.stdout, /GREETING:\s+hello world/);
  const rollback = await heroku('rollback', 'v2', '-a', 'cli-app');
  assert.match(rollback.all, /Rolling back cli-app to v2\.\.\. done, v4/);
  const config = await heroku('config:get', 'GREETING', '-a', 'cli-app');
  assert.equal(config.stdout.trim(), 'hello world');
  const latest = await heroku('releases', '-a', 'cli-app', '-n', '1');
  assert.match(latest.stdout, /v4\s+Rollback to v2/);
});

test('ps:scale on a stored formation', async () => {
  const slug = await seedSlug(platform, 'cli-app', { web: 'npm start', worker: 'node worker.js' });
  const deployed = await api('POST', '/apps/cli-app/releases', { slug: slug.id, description: 'Deploy 1a2b3c4' });
  assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  const show = await heroku('ps:scale', '-a', 'cli-app');
  assert.match(show.stdout, /web=1:Standard-1X worker=0:Standard-1X/);
  const scaled = await heroku('ps:scale', 'web=2', 'worker+1', '-a', 'cli-app');
  assert.match(scaled.all, /Scaling dynos\.\.\. done, now running web at 2:Standard-1X, worker at 1:Standard-1X/);
  const sized = await heroku('ps:scale', 'web-1:standard-2x', '-a', 'cli-app');
  assert.match(sized.all, /now running web at 1:Standard-2X/);
  const bad = await cli.run(['ps:scale', 'clock=1', '-a', 'cli-app']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Couldn't find that process type \(clock\)/);
});

test('access and access:add', async () => {
  const user = await api('POST', '/users', { email: 'friend@example.com' });
  assert.equal(user.status, 201);
  const added = await heroku('access:add', 'friend@example.com', '-a', 'cli-app');
  assert.match(added.all, /Adding friend@example\.com access to the app cli-app\.\.\. done/);
  const access = await heroku('access', '-a', 'cli-app');
  assert.match(access.stdout, /admin@example\.com\s+owner/);
  assert.match(access.stdout, /friend@example\.com\s+collaborator/);
});

test('domains and domains:add', async () => {
  const added = await heroku('domains:add', 'www.example.com', '-a', 'cli-app');
  assert.match(added.all, /Adding www\.example\.com to cli-app\.\.\. done/);
  const domains = await heroku('domains', '-a', 'cli-app');
  assert.match(domains.stdout, /=== cli-app Heroku Domain/);
  assert.match(domains.stdout, /^cli-app\.localhost$/m);
  assert.match(domains.stdout, /www\.example\.com\s+CNAME\s+cli-app\.localhost/);
});

test('maintenance:on and maintenance:off', async () => {
  assert.match((await heroku('maintenance:on', '-a', 'cli-app')).all, /Enabling maintenance mode for cli-app\.\.\. done/);
  assert.equal((await heroku('maintenance', '-a', 'cli-app')).stdout.trim(), 'on');
  assert.match((await heroku('maintenance:off', '-a', 'cli-app')).all, /Disabling maintenance mode for cli-app\.\.\. done/);
  assert.equal((await heroku('maintenance', '-a', 'cli-app')).stdout.trim(), 'off');
});

test('apps:rename and apps:destroy --confirm', async () => {
  const renamed = await heroku('apps:rename', 'cli-renamed', '-a', 'cli-app');
  assert.match(renamed.all, /Renaming cli-app to cli-renamed\.\.\. done/);
  assert.ok(renamed.stdout.includes(`http://cli-renamed.localhost:${platform.routerPort}/ | https://localhost:${platform.apiPort}/cli-renamed.git`), renamed.all);
  const gone = await cli.run(['apps:info', '-a', 'cli-app']);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /Couldn't find that app/);
  const destroyed = await heroku('apps:destroy', '-a', 'cli-renamed', '--confirm', 'cli-renamed');
  assert.match(destroyed.all, /Destroying cli-renamed \(including all add-ons\)\.\.\. done/);
  const apps = await heroku('apps');
  assert.doesNotMatch(apps.stdout, /cli-renamed/);
});

test('a restarted platform keeps its state', async () => {
  await heroku('apps:create', 'survivor');
  await heroku('config:set', 'KEEP=me', '-a', 'survivor');
  const { dataDir, env } = platform;
  await platform.stop({ keepData: true });
  const again = await startPlatform({ dataDir, env });
  try {
    const restartedCli = await herokuCli(again);
    try {
      const r = await restartedCli.run(['config:get', 'KEEP', '-a', 'survivor']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'me');
    } finally {
      await restartedCli.close();
    }
  } finally {
    await again.stop();
  }
});
