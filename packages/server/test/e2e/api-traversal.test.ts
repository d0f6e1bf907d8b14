/**
 * Issue 19, finding 1: an id of `..` must never reach another route. Before the fix
 * `DELETE /apps/A/domains/..` answered 200 and destroyed A (dot-segments were resolved before
 * routing, and DELETE /apps/:app also matched `/apps/A/`). The whole platform runs in this process
 * (every room's routes); every route of its table is sent traversal ids (raw, percent-encoded,
 * `../../B`, backslashes) in each parameter, dot-segments appended, and a trailing slash on the
 * destructive ones, with the path sent byte for byte; each answer must be a 4xx and nothing may change.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { herokuCli } from '../helpers/heroku-cli.js';
import { startInProcessPlatform, type InProcessPlatform } from '../helpers/in-process-platform.js';
import { caller, seedApps, snapshot, traversalIds, traversalPaths, type Call } from '../helpers/route-walk.js';

const A = 'trav-a';
const B = 'trav-b';

let p: InProcessPlatform;
let call: Call;
let fill: (param: string) => string;
const state = () => snapshot(call, [A, B]);

before(async () => {
  p = await startInProcessPlatform();
  call = caller(p.url, p.token);
  fill = await seedApps(call, A, B);
});
after(async () => { await p?.stop(); });

test('the route table is the full platform: every room contributes routes', () => {
  const paths = new Set(p.routes.map((r) => `${r.method} ${r.path}`));
  for (const r of ['DELETE /apps/:app', 'DELETE /apps/:app/domains/:domain', 'DELETE /apps/:app/dynos/:dyno', 'DELETE /apps/:app/log-drains/:drain', 'POST /apps/:app/builds']) {
    assert.ok(paths.has(r), `missing ${r}`);
  }
});

test('the issue\'s reproductions: DELETE of a domain, dyno, collaborator, drain or formation `..` deletes nothing', async () => {
  for (const path of [
    `/apps/${A}/domains/..`, `/apps/${A}/domains/%2e%2e`, `/apps/${A}/domains/.%2E`, `/apps/${A}/dynos/..`, `/apps/${A}/collaborators/..`,
    `/apps/${A}/log-drains/..`, `/apps/${A}/formations/..`, `/apps/${A}/domains/../../${B}`, `/apps/${A}/`,
  ]) {
    const before = await state();
    const r = await call('DELETE', path);
    assert.ok(r.status >= 400 && r.status < 500, `DELETE ${path} answered ${r.status} ${r.text}`);
    assert.equal(r.json?.id !== undefined, true, `DELETE ${path}: a Heroku-style error body`);
    assert.equal(await state(), before, `DELETE ${path} changed state`);
  }
});

test('every route, traversal ids in every parameter: a 4xx and no state change', async () => {
  const before = await state();
  let sent = 0;
  for (const route of p.routes) {
    for (const path of traversalPaths(route.path, route.method, fill, traversalIds(B), B)) {
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const r = await call(route.method, path, body);
      sent++;
      assert.ok(r.status >= 400 && r.status < 500, `${route.method} ${path} (route ${route.path}) answered ${r.status} ${r.text.slice(0, 200)}`);
    }
    assert.equal(await state(), before, `a traversal request to ${route.method} ${route.path} changed state`);
  }
  assert.ok(sent > p.routes.length * 5, `only ${sent} requests sent`);
});

const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
const repoRoot = path.resolve(here, fromDist ? '../../../../..' : '../../../..');
const slipwayArgs = fromDist
  ? [path.join(repoRoot, 'packages/cli/dist/src/bin.js')]
  : ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'packages/cli/src/bin.ts')];

test('the CLIs of the issue: `heroku domains:remove .. -a A` and `slipway ps:restart .. -a A` fail and delete nothing', async () => {
  const before = await state();
  const cli = await herokuCli(p);
  try {
    for (const args of [['domains:remove', '..', '-a', A], ['domains:remove', '%2e%2e', '-a', A]]) {
      const r = await cli.run(args);
      assert.notEqual(r.code, 0, `heroku ${args.join(' ')} succeeded:\n${r.stdout}\n${r.stderr}`);
      assert.equal(await state(), before, `heroku ${args.join(' ')} changed state`);
    }
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cli.home, SLIPWAY_API_URL: p.url, SLIPWAY_API_KEY: p.token, NO_COLOR: '1' };
    for (const args of [['ps:restart', '..', '-a', A], ['domains:remove', '..', '-a', A]]) {
      const code = await new Promise<number>((resolve) => {
        execFile(process.execPath, [...slipwayArgs, ...args], { env, timeout: 60_000 }, (err) => resolve(err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0));
      });
      assert.notEqual(code, 0, `slipway ${args.join(' ')} succeeded`);
      assert.equal(await state(), before, `slipway ${args.join(' ')} changed state`);
    }
  } finally {
    await cli.close();
  }
});
