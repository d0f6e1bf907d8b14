import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fetchSources, isFetchStep, planBuildStep, translator, workspaceRoot, SandboxPlanError, type SandboxLayout } from './runc-sandbox-plan.js';
import { createWorkspace, removeWorkspace } from './workspace.js';

const parent = '/tmp/slipway-builds';
const ws = `${parent}/0123abcd`;
const layout: SandboxLayout = { workspaceParent: parent, builtinDir: '/srv/slipway/buildpacks', toolchainDirs: ['/usr', '/opt/node-20'] };

const aStep = (over: Partial<Parameters<typeof planBuildStep>[0]> = {}) => ({
  file: `/srv/slipway/buildpacks/nodejs/bin/compile`,
  args: [`${ws}/app`, `${ws}/cache`, `${ws}/env`],
  cwd: `${ws}/app`,
  env: { PATH: '/opt/node-20/bin:/usr/bin:/bin', HOME: `${ws}/app`, TMPDIR: `${ws}/tmp`, BUILDPACK_DIR: '/srv/slipway/buildpacks/nodejs' },
  ...over,
});

test('a compile step: buildpack API paths inside the container, host paths gone', () => {
  const plan = planBuildStep(aStep(), layout);
  assert.equal(plan.appDir, `${ws}/app`);
  assert.deepEqual(plan.cmd, ['/opt/slipway/buildpacks/nodejs/bin/compile', '/app', '/tmp/cache', '/tmp/env']);
  assert.equal(plan.cwd, '/app');
  assert.deepEqual(plan.env, { PATH: '/opt/node-20/bin:/usr/bin:/bin', HOME: '/app', TMPDIR: '/tmp/build-tmp', BUILDPACK_DIR: '/opt/slipway/buildpacks/nodejs' });
  assert.ok(!JSON.stringify({ ...plan, appDir: '', binds: [] }).includes(ws), 'no workspace path leaks into the container');
});

test('binds: only the workspace dirs, the built-in buildpacks and non-stack toolchains; ENV_DIR and buildpacks read-only', () => {
  const plan = planBuildStep(aStep(), layout);
  assert.deepEqual(plan.binds, [
    { source: `${ws}/cache`, destination: '/tmp/cache', readonly: false },
    { source: `${ws}/env`, destination: '/tmp/env', readonly: true },
    { source: `${ws}/tmp`, destination: '/tmp/build-tmp', readonly: false },
    { source: `${ws}/buildpacks`, destination: '/tmp/buildpacks', readonly: true },
    { source: '/srv/slipway/buildpacks', destination: '/opt/slipway/buildpacks', readonly: true },
    { source: '/opt/node-20', destination: '/opt/node-20', readonly: true },
  ]);
});

test('a toolchain dir that is / or top-level is never bound', () => {
  const plan = planBuildStep(aStep(), { ...layout, toolchainDirs: ['/', '/opt', '/root/.nvm/versions/node/v20'] });
  const extra = plan.binds.filter((b) => b.source === b.destination).map((b) => b.source);
  assert.deepEqual(extra, ['/root/.nvm/versions/node/v20']);
});

test('a fetch step may write the buildpacks dir and reads only approved local sources', () => {
  const fetch = aStep({ file: 'cp', args: ['-R', '--', '/home/me/bp', `${ws}/buildpacks/0`], cwd: `${ws}/buildpacks`, env: { HOME: `${ws}/buildpacks` } });
  assert.equal(isFetchStep(fetch, layout), true);
  assert.equal(isFetchStep(aStep(), layout), false);
  assert.deepEqual(fetchSources(fetch, layout), ['/home/me/bp']);
  assert.deepEqual(fetchSources(aStep(), layout), [], 'only fetch steps bring sources');
  assert.deepEqual(fetchSources({ ...fetch, args: ['-R', '--', '/usr/share/bp', `${ws}/buildpacks/0`] }, layout), [], 'the stack is already there');

  const refused = planBuildStep(fetch, layout);
  assert.deepEqual(refused.cmd, ['cp', '-R', '--', '/home/me/bp', '/tmp/buildpacks/0'], 'an unapproved source stays a path the container cannot see');
  assert.equal(refused.binds.find((b) => b.destination === '/tmp/buildpacks')?.readonly, false);

  const approved = planBuildStep(fetch, layout, [{ arg: '/home/me/bp', realPath: '/data/real-bp' }]);
  assert.deepEqual(approved.cmd, ['cp', '-R', '--', '/tmp/buildpack-source/0', '/tmp/buildpacks/0']);
  assert.deepEqual(approved.binds.at(-1), { source: '/data/real-bp', destination: '/tmp/buildpack-source/0', readonly: true });
});

test('steps outside a build workspace are refused', () => {
  assert.throws(() => planBuildStep(aStep({ cwd: '/root' }), layout), SandboxPlanError);
  assert.throws(() => workspaceRoot(parent, parent), SandboxPlanError);
  assert.throws(() => workspaceRoot(`${parent}/../etc`, parent), SandboxPlanError);
  assert.equal(workspaceRoot(`${ws}/app/sub/dir`, parent), ws);
});

test('translation only rewrites whole path prefixes', () => {
  const tr = translator([{ host: '/w/app', container: '/app' }, { host: '/w/app/x', container: '/x' }]);
  assert.equal(tr('/w/app'), '/app');
  assert.equal(tr('/w/app/lib:/w/app/x/bin'), '/app/lib:/x/bin');
  assert.equal(tr('--prefix=/w/app/y'), '--prefix=/app/y');
  assert.equal(tr('/w/apple'), '/w/apple');
  assert.equal(tr('x/w/app'), 'x/w/app');
  assert.equal(tr('echo /w/app done'), 'echo /app done');
});

test('the layout matches the real workspace (workspace.ts) dirs', async () => {
  const real = await createWorkspace();
  try {
    const plan = planBuildStep({ file: '/bin/true', args: [real.appDir, real.cacheDir, real.envDir, real.buildpacksDir, real.tmpDir], cwd: real.appDir, env: {} }, {
      ...layout, workspaceParent: path.dirname(real.root),
    });
    assert.deepEqual(plan.cmd, ['/bin/true', '/app', '/tmp/cache', '/tmp/env', '/tmp/buildpacks', '/tmp/build-tmp']);
  } finally {
    await removeWorkspace(real);
  }
});
