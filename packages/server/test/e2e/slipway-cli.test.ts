/**
 * Issue 2 end to end with OUR CLI: the real platform (test/helpers/platform.ts) driven by the real
 * `slipway` CLI as a child process (from source with tsx, or the built bin when the tests run from
 * dist), with SLIPWAY_API_URL and a throwaway HOME: login (~/.netrc), apps, config, releases,
 * rollback, ps:scale/ps:type, users and access, domains, maintenance, destroy, and bad input.
 * The CLI writes progress lines (`Setting FOO… done, v3`) to stderr and data to stdout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { seedSlug } from '../helpers/seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
const repoRoot = path.resolve(here, fromDist ? '../../../../..' : '../../../..');
/** Mirrors platform.ts: the built bin when running from dist, else the source through tsx. */
const cliArgs = fromDist
  ? [path.join(repoRoot, 'packages/cli/dist/src/bin.js')]
  : ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'packages/cli/src/bin.ts')];

let platform: RunningPlatform;
let home: string;
let devToken: string;
let thirdToken: string;

before(async () => {
  platform = await startPlatform();
  home = await mkdtemp(path.join(os.tmpdir(), 'slipway-cli-home-'));
});
after(async () => {
  await platform?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

interface Run { code: number; stdout: string; stderr: string; all: string }

/** Runs `slipway ARGS`; the token comes from ~/.netrc unless `key` is given. */
function slipway(args: string[], opts: { key?: string } = {}): Promise<Run> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, SLIPWAY_API_URL: platform.url,
    NO_COLOR: '1', COLUMNS: '200', LANG: 'C.UTF-8', TZ: 'UTC',
  };
  if (opts.key !== undefined) env.SLIPWAY_API_KEY = opts.key;
  return new Promise((resolve) => {
    execFile(process.execPath, [...cliArgs, ...args], { cwd: home, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), all: `${stdout}\n${stderr}` });
    });
  });
}

async function ok(args: string[], opts: { key?: string } = {}): Promise<Run> {
  const r = await slipway(args, opts);
  assert.equal(r.code, 0, `slipway ${args.join(' ')} exited ${r.code}:\n${r.all}`);
  return r;
}

/** A failure: non-zero exit, nothing on stdout, exactly one `Error: …` line on stderr (returned). */
async function fails(args: string[], opts: { key?: string } = {}): Promise<string> {
  const r = await slipway(args, opts);
  assert.notEqual(r.code, 0, `slipway ${args.join(' ')} should fail:\n${r.all}`);
  assert.equal(r.stdout, '', `slipway ${args.join(' ')}: nothing on stdout`);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('Error:'));
  assert.equal(errors.length, 1, `slipway ${args.join(' ')}: one error line:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  return errors[0];
}

test('login --token writes ~/.netrc (0600); later commands work without SLIPWAY_API_KEY', async () => {
  assert.match(await fails(['apps']), /^Error: .*(log ?in|token|credentials)/i);
  const login = await ok(['login', '--token', platform.token]);
  assert.match(login.all, /Logged in as admin@example\.com/);
  const netrc = path.join(home, '.netrc');
  assert.equal((await stat(netrc)).mode & 0o777, 0o600);
  const text = await readFile(netrc, 'utf8');
  assert.match(text, new RegExp(`machine localhost:${platform.apiPort}\\s+login admin@example\\.com\\s+password ${platform.token}`));
  const apps = await ok(['apps']);
  assert.match(apps.stdout, /You have no apps\./);
  assert.equal((await ok(['auth:whoami'])).stdout.trim(), 'admin@example.com');
});

test('apps:create, apps, apps:info, apps:rename', async () => {
  const created = await ok(['apps:create', 'cli-e2e']);
  assert.match(created.stderr, /Creating cli-e2e\.\.\. done/);
  assert.ok(created.stdout.includes(`http://cli-e2e.localhost:${platform.routerPort}/ | http://localhost:${platform.apiPort}/cli-e2e.git`), created.all);
  const generated = await ok(['apps:create']);
  assert.match(generated.all, /Creating app\.\.\. done, [a-z]+-[a-z]+-\d{4}/);
  const apps = await ok(['apps']);
  assert.match(apps.stdout, /=== admin@example\.com Apps/);
  assert.match(apps.stdout, /^cli-e2e$/m);

  await ok(['apps:create', 'cli-old']);
  const renamed = await ok(['apps:rename', 'cli-new', '-a', 'cli-old']);
  assert.match(renamed.stderr, /Renaming cli-old to cli-new\.\.\. done/);
  assert.ok(renamed.stdout.includes(`http://localhost:${platform.apiPort}/cli-new.git`), renamed.all);
  const info = await ok(['apps:info', '-a', 'cli-new']);
  assert.match(info.stdout, /=== cli-new/);
  assert.match(info.stdout, /Owner:\s+admin@example\.com/);
  assert.match(info.stdout, /Stack:\s+heroku-24/);
  assert.ok(info.stdout.includes(`http://cli-new.localhost:${platform.routerPort}/`), info.stdout);
  assert.match(await fails(['apps:info', '-a', 'cli-old']), /Couldn't find that app/);
  const json = JSON.parse((await ok(['apps:info', '-a', 'cli-new', '--json'])).stdout) as { app: { name: string } };
  assert.equal(json.app.name, 'cli-new');
});

test('config:set, config:get, config, config:unset — each change a release', async () => {
  const set = await ok(['config:set', 'FOO=bar', 'GREETING=hello world', '-a', 'cli-e2e']);
  assert.match(set.stderr, /Setting FOO, GREETING and restarting cli-e2e\.\.\. done, v2/);
  assert.match(set.stdout, /GREETING:\s+hello world/);
  assert.equal((await ok(['config:get', 'GREETING', '-a', 'cli-e2e'])).stdout, 'hello world\n');
  const config = await ok(['config', '-a', 'cli-e2e']);
  assert.match(config.stdout, /=== cli-e2e Config Vars/);
  assert.match(config.stdout, /FOO:\s+bar\nGREETING:\s+hello world/);
  assert.deepEqual(JSON.parse((await ok(['config', '-a', 'cli-e2e', '--json'])).stdout), { FOO: 'bar', GREETING: 'hello world' });
  const unset = await ok(['config:unset', 'FOO', '-a', 'cli-e2e']);
  assert.match(unset.stderr, /Unsetting FOO and restarting cli-e2e\.\.\. done, v3/);
  assert.doesNotMatch((await ok(['config', '-a', 'cli-e2e'])).stdout, /FOO/);
});

test('releases, releases:info, rollback', async () => {
  const releases = await ok(['releases', '-a', 'cli-e2e']);
  assert.match(releases.stdout, /=== cli-e2e Releases - Current: v3/);
  assert.match(releases.stdout, /v3\s+Remove FOO config vars\s+admin@example\.com/);
  assert.match(releases.stdout, /v2\s+Set FOO, GREETING config vars\s+admin@example\.com/);
  assert.match(releases.stdout, /v1\s+Initial release\s+admin@example\.com/);
  const info = await ok(['releases:info', 'v2', '-a', 'cli-e2e']);
  assert.match(info.stdout, /=== Release v2/);
  assert.match(info.stdout, /Change:\s+Set FOO, GREETING config vars/);
  assert.match(info.stdout, /FOO:\s+bar/);
  const rollback = await ok(['rollback', 'v2', '-a', 'cli-e2e']);
  assert.match(rollback.all, /Rolling back cli-e2e to v2\.\.\. done, v4/);
  assert.equal((await ok(['config:get', 'FOO', '-a', 'cli-e2e'])).stdout, 'bar\n');
  const json = JSON.parse((await ok(['releases', '-a', 'cli-e2e', '--json'])).stdout) as { version: number; description: string }[];
  assert.deepEqual(json.map((r) => r.version).sort((a, b) => a - b), [1, 2, 3, 4]);
  assert.equal(json.find((r) => r.version === 4)?.description, 'Rollback to v2');
});

test('ps:scale and ps:type on a stored formation', async () => {
  const slug = await seedSlug(platform, 'cli-e2e', { web: 'npm start', worker: 'node worker.js' });
  const res = await fetch(`${platform.url}/apps/cli-e2e/releases`, {
    method: 'POST', body: JSON.stringify({ slug: slug.id, description: 'Deploy 1a2b3c4' }),
    headers: { Authorization: `Bearer ${platform.token}`, Accept: 'application/vnd.heroku+json; version=3', 'Content-Type': 'application/json' },
  });
  assert.equal(res.status, 201, await res.text());
  assert.equal((await ok(['ps:scale', '-a', 'cli-e2e'])).stdout.trim(), 'web=1:Standard-1X worker=0:Standard-1X');
  const scaled = await ok(['ps:scale', 'web=2', 'worker+1', '-a', 'cli-e2e']);
  assert.match(scaled.all, /Scaling dynos\.\.\. done, now running web at 2:Standard-1X, worker at 1:Standard-1X/);
  const typed = await ok(['ps:type', 'worker=standard-2x', '-a', 'cli-e2e']);
  assert.match(typed.stderr, /Updating dyno sizes\.\.\. done/);
  assert.match(typed.stdout, /worker\s+Standard-2X\s+1\s+1024 MB/);
  assert.match(typed.stdout, /web\s+Standard-1X\s+2\s+512 MB/);
  // The seeded slug has no code, so its dynos cannot run: scale back to zero.
  const down = await ok(['ps:scale', 'web=0', 'worker=0', '-a', 'cli-e2e']);
  assert.match(down.all, /now running web at 0:Standard-1X, worker at 0:Standard-2X/);
  const releases = await ok(['releases', '-a', 'cli-e2e', '-n', '1']);
  assert.match(releases.stdout, /v5\s+Deploy 1a2b3c4/);
});

test('users:add, access:add: the collaborator sees the app, a third user gets not found', async () => {
  const dev = await ok(['users:add', 'dev@example.com']);
  assert.match(dev.stderr, /Creating user dev@example\.com\.\.\. done/);
  devToken = dev.stdout.trim();
  assert.match(devToken, /^\S{16,}$/);
  const third = JSON.parse((await ok(['users:add', 'third@example.com', '--json'])).stdout) as { email: string; token: string };
  assert.equal(third.email, 'third@example.com');
  thirdToken = third.token;

  assert.match(await fails(['apps:info', '-a', 'cli-e2e'], { key: devToken }), /^Error: Couldn't find that app\.$/);
  const added = await ok(['access:add', 'dev@example.com', '-a', 'cli-e2e']);
  assert.match(added.stderr, /Adding dev@example\.com access to the app cli-e2e\.\.\. done/);
  const access = await ok(['access', '-a', 'cli-e2e']);
  assert.match(access.stdout, /admin@example\.com\s+owner/);
  assert.match(access.stdout, /dev@example\.com\s+collaborator/);

  assert.equal((await ok(['auth:whoami'], { key: devToken })).stdout.trim(), 'dev@example.com');
  const theirs = await ok(['apps'], { key: devToken });
  assert.match(theirs.stdout, /cli-e2e\s+admin@example\.com/);
  assert.match((await ok(['apps:info', '-a', 'cli-e2e'], { key: devToken })).stdout, /=== cli-e2e/);
  assert.equal((await ok(['config:get', 'GREETING', '-a', 'cli-e2e'], { key: devToken })).stdout, 'hello world\n');

  assert.match(await fails(['apps:info', '-a', 'cli-e2e'], { key: thirdToken }), /^Error: Couldn't find that app\.$/);
  assert.match(await fails(['config', '-a', 'cli-e2e'], { key: thirdToken }), /Couldn't find that app/);
  assert.match(await fails(['users:add', 'x@example.com'], { key: devToken }), /^Error: /);
});

test('domains:add, domains, maintenance:on/off', async () => {
  const added = await ok(['domains:add', 'www.example.com', '-a', 'cli-e2e']);
  assert.match(added.stderr, /Adding www\.example\.com to cli-e2e\.\.\. done/);
  const domains = await ok(['domains', '-a', 'cli-e2e']);
  assert.match(domains.stdout, /=== cli-e2e Heroku Domain\n+cli-e2e\.localhost/);
  assert.match(domains.stdout, /www\.example\.com\s+CNAME\s+cli-e2e\.localhost/);
  const on = await ok(['maintenance:on', '-a', 'cli-e2e']);
  assert.match(on.stderr, /Enabling maintenance mode for cli-e2e\.\.\. done/);
  assert.equal((await ok(['maintenance', '-a', 'cli-e2e'])).stdout.trim(), 'on');
  await ok(['maintenance:off', '-a', 'cli-e2e']);
  assert.equal((await ok(['maintenance', '-a', 'cli-e2e'])).stdout.trim(), 'off');
});

test('bad input: one-line errors and non-zero exits', async () => {
  assert.match(await fails(['apps:info', '-a', 'no-such-app']), /^Error: Couldn't find that app\.$/);
  assert.match(await fails(['config', '-a', 'no-such-app']), /Couldn't find that app/);
  assert.match(await fails(['ps:scale', 'web=lots', '-a', 'cli-e2e']), /^Error: Invalid argument "web=lots"/);
  assert.match(await fails(['ps:scale', 'clock=1', '-a', 'cli-e2e']), /Couldn't find that process type \(clock\)/);
  assert.match(await fails(['ps:type', 'web=huge', '-a', 'cli-e2e']), /Invalid dyno size "huge"/);
  assert.match(await fails(['config:set', '1BAD=x', '-a', 'cli-e2e']), /^Error: Invalid config var name "1BAD"/);
  assert.match(await fails(['config:set', 'NOEQUALS', '-a', 'cli-e2e']), /NOEQUALS is invalid/);
  assert.match(await fails(['apps:create', 'Bad Name']), /^Error: /);
  assert.match(await fails(['apps:destroy', '-a', 'cli-e2e', '--confirm', 'wrong']), /^Error: Confirmation wrong did not match cli-e2e/);
  assert.match(await fails(['apps:info', '-a', 'cli-e2e'], { key: 'not-a-real-token-at-all' }), /^Error: /);
  assert.equal((await ok(['config:get', 'GREETING', '-a', 'cli-e2e'])).stdout, 'hello world\n', 'nothing changed');
});

test('apps:destroy --confirm', async () => {
  const destroyed = await ok(['apps:destroy', '-a', 'cli-new', '--confirm', 'cli-new']);
  assert.match(destroyed.stderr, /Destroying cli-new.*\.\.\. done/);
  assert.match(await fails(['apps:info', '-a', 'cli-new']), /Couldn't find that app/);
  assert.doesNotMatch((await ok(['apps'])).stdout, /cli-new/);
  assert.match((await ok(['apps'])).stdout, /^cli-e2e$/m);
});
