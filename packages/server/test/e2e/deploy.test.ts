/**
 * Deploys end to end: the real platform, the real `git` client pushing fixture apps over smart
 * HTTP, real buildpacks, slugs and releases; each release's web command is run from its unpacked
 * slug to show it serves HTTP. Also bad pushes, concurrent pushes, the Builds API and the official
 * `heroku` CLI's `releases` / `releases:output`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, writeFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startPlatform, freePort, type RunningPlatform } from '../helpers/platform.js';
import { herokuCli } from '../helpers/heroku-cli.js';
import { api, checkout, FIXTURES, httpText, remoteUrl, run, startProcess, unpackSlug, waitFor, worldReadableDir, type Checkout } from './deploy-helpers.js';

interface ReleaseJson { id: string; version: number; description: string; status: string; current: boolean; slug: { id: string } | null; output_stream_url: string | null }
interface BuildJson { id: string; status: string; output_stream_url: string; slug: { id: string } | null; release: { id: string } | null }
interface SlugJson { id: string; process_types: Record<string, string>; checksum: string; size: number; blob: { url: string }; commit: string | null }

let platform: RunningPlatform;
const cleanups: (() => Promise<void>)[] = [];

/**
 * The BUILD_DIR (on the host) of the build the wait-buildpack holds with `token`, if it is waiting
 * yet. Builds' workspaces are `<tmp>/slipway-builds/<id>/app` (the platform gets no TMPDIR: /tmp).
 */
async function heldBuildDir(token: string): Promise<string | undefined> {
  for (const tmp of new Set([os.tmpdir(), '/tmp'])) {
    const builds = path.join(tmp, 'slipway-builds');
    for (const id of await readdir(builds).catch(() => [] as string[])) {
      const app = path.join(builds, id, 'app');
      if (await stat(path.join(app, `.slipway-wait-${token}`)).then(() => true, () => false)) return app;
    }
  }
  return undefined;
}

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_BUILD_TIMEOUT_MS: String(10 * 60_000) } });
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await platform?.stop();
});

async function createApp(name: string, token = platform.token): Promise<void> {
  const r = await api(platform.url, token, 'POST', '/apps', { name });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

async function push(co: Checkout, app: string, opts: { token?: string; ref?: string; force?: boolean } = {}) {
  const args = ['push', ...(opts.force ? ['--force'] : []), remoteUrl(platform.apiPort, app, opts.token ?? platform.token), opts.ref ?? 'HEAD:main'];
  return co.git(args);
}

async function releases(app: string): Promise<ReleaseJson[]> {
  const r = await api<ReleaseJson[]>(platform.url, platform.token, 'GET', `/apps/${app}/releases`);
  assert.equal(r.status, 200);
  return [...r.body].sort((a, b) => a.version - b.version);
}

async function latestSlug(app: string): Promise<SlugJson> {
  const rel = (await releases(app)).filter((r) => r.status === 'succeeded').at(-1)!;
  const r = await api<SlugJson>(platform.url, platform.token, 'GET', `/apps/${app}/slugs/${rel.slug!.id}`);
  assert.equal(r.status, 200);
  return r.body;
}

async function fetchSlug(slug: SlugJson): Promise<Buffer> {
  const res = await fetch(slug.blob.url, { headers: { Authorization: `Bearer ${platform.token}` } });
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

/** Unpacks the app's current slug, runs its web command and returns the body it serves at /. */
async function serveWeb(app: string): Promise<string> {
  const slug = await latestSlug(app);
  const unpacked = await unpackSlug(await fetchSlug(slug));
  const port = await freePort();
  const proc = startProcess(unpacked.appDir, slug.process_types.web, port);
  try {
    return await waitFor(`${app} web to answer (${proc.output()})`, () => httpText(`http://127.0.0.1:${port}/`), 60_000);
  } finally {
    await proc.stop();
    await unpacked.close();
  }
}

function remoteLines(output: string): string {
  return output.split('\n').filter((l) => l.startsWith('remote:')).join('\n');
}

describe('git push deploys', () => {
  test('a Node.js app: remote lines, release, slug with dependencies, cache reused on the second push', async (t) => {
    await createApp('node-e2e');
    const co = await checkout('node-app');
    cleanups.push(co.close);
    const sha = await co.sha();
    const t0 = Date.now();
    const first = await push(co, 'node-e2e');
    const firstMs = Date.now() - t0;
    assert.equal(first.code, 0, first.output);
    const remote = remoteLines(first.output);
    assert.match(remote, /remote: -----> Building on the Heroku-24 stack/);
    assert.match(remote, /remote: -----> Node\.js app detected/);
    assert.match(remote, /remote: -----> Compressing\.\.\.\s*\nremote: {8}Done: \d+(\.\d)?[BKM]/);
    assert.match(remote, /remote: -----> Launching\.\.\.\s*\nremote: {8}Released v\d+/);
    assert.match(remote, new RegExp(`remote:        http://node-e2e\\.localhost:${platform.routerPort}/ deployed to Slipway`));

    const rels = await releases('node-e2e');
    const last = rels.at(-1)!;
    assert.equal(last.description, `Deploy ${sha.slice(0, 7)}`);
    assert.equal(last.status, 'succeeded');
    assert.equal(last.current, true);
    const slug = await latestSlug('node-e2e');
    assert.equal(slug.process_types.web, 'npm start');
    assert.match(slug.checksum, /^SHA256:[0-9a-f]{64}$/);
    assert.equal(slug.commit, sha);

    const unpacked = await unpackSlug(await fetchSlug(slug));
    cleanups.push(unpacked.close);
    await stat(path.join(unpacked.appDir, 'node_modules', 'ms', 'package.json'));
    await stat(path.join(unpacked.appDir, 'build-info.json'));
    await assert.rejects(stat(path.join(unpacked.appDir, 'docs')), 'docs/ is in .slugignore');
    await assert.rejects(stat(path.join(unpacked.appDir, 'mockup.psd')), '*.psd is in .slugignore');
    assert.match(await serveWeb('node-e2e'), /hello from node, one day is 86400000 ms, built by npm run build/);

    await writeFile(path.join(co.dir, 'CHANGES.md'), 'second deploy\n');
    await co.commit('second deploy');
    const t1 = Date.now();
    const second = await push(co, 'node-e2e');
    const secondMs = Date.now() - t1;
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /Restoring node_modules from the build cache/);
    t.diagnostic(`node-app push times: first ${firstMs} ms, second (cache) ${secondMs} ms`);
    assert.equal((await releases('node-e2e')).at(-1)!.version, last.version + 1);
  });

  test('a Python app: a virtualenv under /app/.venv with a local requirement', async () => {
    await createApp('python-e2e');
    const co = await checkout('python-app');
    cleanups.push(co.close);
    const r = await push(co, 'python-e2e');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /remote: -----> Python app detected/);
    assert.match(r.output, /Successfully installed greeting/);
    assert.match(await serveWeb('python-e2e'), /hello from python, slipway/);
  });

  test('a static site served by the built-in static server', async () => {
    await createApp('static-e2e');
    const co = await checkout('static-site');
    cleanups.push(co.close);
    const r = await push(co, 'static-e2e');
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /remote: -----> Static site app detected/);
    assert.match(await serveWeb('static-e2e'), /hello from a static site/);
  });

  test('a Procfile-only app with web and worker; a failed build leaves the release untouched', async () => {
    await createApp('procfile-e2e');
    const co = await checkout('procfile-app');
    cleanups.push(co.close);
    const ok = await push(co, 'procfile-e2e');
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /remote: -----> Procfile app detected/);
    assert.match(ok.output, /Procfile declares types {5}-> web, worker/);
    const slug = await latestSlug('procfile-e2e');
    assert.deepEqual(Object.keys(slug.process_types).sort(), ['web', 'worker']);
    const formation = await api<{ type: string }[]>(platform.url, platform.token, 'GET', '/apps/procfile-e2e/formation');
    assert.deepEqual(formation.body.map((f) => f.type).sort(), ['web', 'worker']);
    assert.match(await serveWeb('procfile-e2e'), /hello from a Procfile app/);

    const before = await releases('procfile-e2e');
    const goodSha = await co.sha();
    const bad = await checkout('bad-procfile-app');
    cleanups.push(bad.close);
    const rejected = await push(bad, 'procfile-e2e', { force: true });
    assert.notEqual(rejected.code, 0);
    assert.match(rejected.output, /remote: {2}! {5}Procfile line 2: expected "type: command"/);
    assert.match(rejected.output, /remote: {2}! {5}Procfile line 3: duplicate process type "web"/);
    assert.match(rejected.output, /Push rejected to procfile-e2e/);
    assert.match(rejected.output, /pre-receive hook declined/);
    assert.deepEqual(await releases('procfile-e2e'), before);
    const refs = await bad.git(['ls-remote', remoteUrl(platform.apiPort, 'procfile-e2e', platform.token), 'refs/heads/main']);
    assert.match(refs.output, new RegExp(`^${goodSha}`));
  });

  test('a failing release command marks the release failed and keeps the old one current', async () => {
    await createApp('relfail-e2e');
    const good = await checkout('procfile-app');
    cleanups.push(good.close);
    assert.equal((await push(good, 'relfail-e2e')).code, 0);
    const current = (await releases('relfail-e2e')).at(-1)!;
    const co = await checkout('release-fail-app');
    cleanups.push(co.close);
    const r = await push(co, 'relfail-e2e', { force: true });
    assert.notEqual(r.code, 0);
    assert.match(r.output, /Running release command/);
    assert.match(r.output, /migration failed/);
    assert.match(r.output, /Release command failed \(exit 3\)/);
    const rels = await releases('relfail-e2e');
    const failed = rels.at(-1)!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.version, current.version + 1);
    assert.equal(rels.find((x) => x.current)?.id, current.id);
  });

  test('bad pushes: other branches, deleting main, non-fast-forward without --force', async () => {
    await createApp('refs-e2e');
    const co = await checkout('procfile-app');
    cleanups.push(co.close);
    const branch = await push(co, 'refs-e2e', { ref: 'HEAD:feature' });
    assert.notEqual(branch.code, 0);
    assert.match(branch.output, /Pushing to feature is not supported: only main or master is deployed/);
    assert.equal((await push(co, 'refs-e2e')).code, 0);
    const del = await push(co, 'refs-e2e', { ref: ':main' });
    assert.notEqual(del.code, 0);
    assert.match(del.output, /Deleting main is not allowed/);
    const other = await checkout('static-site');
    cleanups.push(other.close);
    const nonFf = await push(other, 'refs-e2e');
    assert.notEqual(nonFf.code, 0);
    assert.match(nonFf.output, /rejected|non-fast-forward|fetch first/);
    const forced = await push(other, 'refs-e2e', { force: true });
    assert.equal(forced.code, 0, forced.output);
    assert.match(forced.output, /Static site app detected/);
  });

  test('pushes from strangers: no token asks for one, another user gets not found', async () => {
    await createApp('private-e2e');
    const co = await checkout('procfile-app');
    cleanups.push(co.close);
    const noAuth = await co.git(['push', `http://localhost:${platform.apiPort}/private-e2e.git`, 'HEAD:main']);
    assert.notEqual(noAuth.code, 0);
    assert.match(noAuth.output, /Authentication failed|could not read Username|terminal prompts disabled/);
    const wrong = await push(co, 'private-e2e', { token: 'slw_not_a_real_token_0000000000' });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.output, /Authentication failed/);
    const other = await api<{ token: string }>(platform.url, platform.token, 'POST', '/users', { email: 'stranger@example.com' });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    const denied = await push(co, 'private-e2e', { token: other.body.token });
    assert.notEqual(denied.code, 0);
    assert.match(denied.output, /not found/i);
    assert.equal((await releases('private-e2e')).filter((r) => r.description.startsWith('Deploy')).length, 0);
  });

  test('a second push while a build runs is rejected; other apps build side by side', async () => {
    await createApp('busy-e2e');
    // The gate is a file in the build's own workspace (a host directory, whatever the sandbox; a
    // runc build reaches no host address, so a TCP gate would only time out): the buildpack marks
    // BUILD_DIR with the token and waits until the test puts the go file beside the mark.
    const token = randomBytes(8).toString('hex');
    const setBp = await api(platform.url, platform.token, 'PUT', '/apps/busy-e2e/buildpack-installations', { updates: [{ buildpack: path.join(FIXTURES, 'wait-buildpack') }] });
    assert.equal(setBp.status, 200, JSON.stringify(setBp.body));
    assert.equal((await api(platform.url, platform.token, 'PATCH', '/apps/busy-e2e/config-vars', { WAIT_FILE: token })).status, 200);
    const first = await checkout('procfile-app');
    const second = await checkout('procfile-app');
    cleanups.push(first.close, second.close);
    await writeFile(path.join(second.dir, 'other.txt'), 'x');
    await second.commit('another commit');

    const slow = push(first, 'busy-e2e');
    await waitFor('the first build to run', async () => {
      const b = await api<BuildJson[]>(platform.url, platform.token, 'GET', '/apps/busy-e2e/builds');
      return b.body.some((x) => x.status === 'pending') ? true : undefined;
    });
    const concurrent = await push(second, 'busy-e2e');
    assert.notEqual(concurrent.code, 0);
    assert.match(concurrent.output, /A build is already in progress for this app/);

    await createApp('side-e2e');
    const side = await checkout('procfile-app');
    cleanups.push(side.close);
    const sideResult = await push(side, 'side-e2e');
    assert.equal(sideResult.code, 0, sideResult.output);

    const held = await waitFor('the held build\'s mark in its workspace', () => heldBuildDir(token));
    await writeFile(path.join(held, `.slipway-go-${token}`), '');
    const done = await slow;
    assert.equal(done.code, 0, done.output);
    assert.match(done.output, /Waiting test app detected/);
    assert.match(done.output, /released by the test/, 'the build waited for the test, not for its own time-out');
  });
});

describe('Builds API', () => {
  /** Uploads a tarball through `POST /sources` + PUT; returns its get_url (the only non-http(s) way in is none). */
  const upload = async (file: string): Promise<string> => {
    const src = await api<{ source_blob: { put_url: string; get_url: string } }>(platform.url, platform.token, 'POST', '/sources');
    assert.equal(src.status, 201);
    const { readFile } = await import('node:fs/promises');
    assert.equal((await fetch(src.body.source_blob.put_url, { method: 'PUT', body: await readFile(file) })).status, 200);
    return src.body.source_blob.get_url;
  };

  test('a build from a tarball file: pending, output stream, slug, release', async () => {
    await createApp('tarball-e2e');
    const shared = await worldReadableDir();
    cleanups.push(shared.close);
    const tgz = path.join(shared.dir, 'static.tgz');
    assert.equal((await run('tar', ['-czf', tgz, '-C', path.join(FIXTURES, 'static-site'), '.'])).code, 0);
    const created = await api<BuildJson>(platform.url, platform.token, 'POST', '/apps/tarball-e2e/builds', { source_blob: { url: await upload(tgz), version: 'v1.2.3' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'pending');
    const stream = await fetch(created.body.output_stream_url);
    assert.equal(stream.status, 200);
    const text = await stream.text();
    assert.match(text, /-----> Static site app detected/);
    assert.match(text, /Released v\d+/);
    const build = await waitFor('build to finish', async () => {
      const b = await api<BuildJson>(platform.url, platform.token, 'GET', `/apps/tarball-e2e/builds/${created.body.id}`);
      return b.body.status === 'pending' ? undefined : b.body;
    });
    assert.equal(build.status, 'succeeded');
    assert.ok(build.slug && build.release);
    assert.equal((await releases('tarball-e2e')).at(-1)!.description, 'Deploy v1.2.3');
    const replay = await (await fetch(created.body.output_stream_url)).text();
    assert.equal(replay, text);
    const guessed = await fetch(created.body.output_stream_url.replace(/\/[0-9a-f]+$/, '/0000'));
    assert.equal(guessed.status, 404);
  });

  test('a hostile tarball fails the build with a clear message and changes nothing', async () => {
    await createApp('hostile-e2e');
    const shared = await worldReadableDir();
    cleanups.push(shared.close);
    const { makeTarGz } = await import('../../src/builds/tar-writer.js');
    const tgz = path.join(shared.dir, 'evil.tgz');
    await writeFile(tgz, makeTarGz([{ name: 'Procfile', body: 'web: x\n' }, { name: '../../escape.txt', body: 'x' }]));
    const created = await api<BuildJson>(platform.url, platform.token, 'POST', '/apps/hostile-e2e/builds', { source_blob: { url: await upload(tgz) } });
    assert.equal(created.status, 201);
    const text = await (await fetch(created.body.output_stream_url)).text();
    assert.match(text, /points outside the build directory/);
    const b = await api<BuildJson>(platform.url, platform.token, 'GET', `/apps/hostile-e2e/builds/${created.body.id}`);
    assert.equal(b.body.status, 'failed');
    assert.equal((await releases('hostile-e2e')).filter((r) => r.description.startsWith('Deploy')).length, 0);
  });

  test('sources upload, buildpack installations and a file the platform must not read', async () => {
    await createApp('sources-e2e');
    const src = await api<{ source_blob: { put_url: string; get_url: string } }>(platform.url, platform.token, 'POST', '/sources');
    assert.equal(src.status, 201);
    const shared = await worldReadableDir();
    cleanups.push(shared.close);
    const tgz = path.join(shared.dir, 'p.tgz');
    assert.equal((await run('tar', ['-czf', tgz, '-C', path.join(FIXTURES, 'procfile-app'), '.'])).code, 0);
    const { readFile } = await import('node:fs/promises');
    const put = await fetch(src.body.source_blob.put_url, { method: 'PUT', body: await readFile(tgz) });
    assert.equal(put.status, 200);
    const bp = await api<{ ordinal: number; buildpack: { name: string } }[]>(platform.url, platform.token, 'PUT', '/apps/sources-e2e/buildpack-installations', { updates: [{ buildpack: 'heroku/procfile' }] });
    assert.equal(bp.status, 200);
    assert.deepEqual(bp.body.map((b) => b.buildpack.name), ['heroku/procfile']);
    const badBp = await api(platform.url, platform.token, 'PUT', '/apps/sources-e2e/buildpack-installations', { updates: [{ buildpack: 'no such thing' }] });
    assert.equal(badBp.status, 422);
    const created = await api<BuildJson>(platform.url, platform.token, 'POST', '/apps/sources-e2e/builds', { source_blob: { url: src.body.source_blob.get_url } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const text = await (await fetch(created.body.output_stream_url)).text();
    assert.match(text, /Using buildpack: heroku\/procfile/);
    assert.match(text, /Released v/);

    // The platform's own files (its database, other apps' slugs) cannot be named: only http(s) URLs.
    const secret = path.join(platform.dataDir, 'slugs');
    for (const url of [path.join(secret, 'x.tgz'), `file://${path.join(secret, 'x.tgz')}`]) {
      const sneaky = await api<BuildJson>(platform.url, platform.token, 'POST', '/apps/sources-e2e/builds', { source_blob: { url } });
      assert.equal(sneaky.status, 422, url);
    }
  });
});

describe('official heroku CLI', () => {
  test('releases and releases:output show the deploys', async () => {
    const cli = await herokuCli(platform);
    cleanups.push(cli.close);
    const list = await cli.run(['releases', '-a', 'node-e2e']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /=== node-e2e Releases - Current: v\d+/);
    assert.match(list.stdout, /Deploy [0-9a-f]{7}/);
    const version = (await releases('node-e2e')).at(-1)!.version;
    const output = await cli.run(['releases:output', `v${version}`, '-a', 'node-e2e']);
    assert.equal(output.code, 0, output.stderr);
    assert.match(output.stdout, /Building on the Heroku-24 stack/);
    assert.match(output.stdout, /Released v\d+/);
  });
});
