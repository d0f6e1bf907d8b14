import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '../log/index.js';
import { builtinBuildpackDir, BUILTIN_BUILDPACKS } from './buildpacks.js';
import { chooseBuildpacks, runBuildpacks, BuildFailedError } from './buildpack-runner.js';
import { createProcessSandbox } from './sandbox.js';
import { createWorkspace, grantWorkspace, removeWorkspace, restoreCache } from './workspace.js';

const builtins = BUILTIN_BUILDPACKS.map((name) => ({ name: `heroku/${name}`, dir: builtinBuildpackDir(name) }));

/** Runs auto-detection with the real built-in buildpacks on an app made of `files`; returns what was chosen. */
async function detect(files: Record<string, string>): Promise<string[]> {
  const sandbox = createProcessSandbox({ logger: silentLogger });
  const ws = await createWorkspace();
  try {
    for (const [name, body] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(ws.appDir, name)), { recursive: true });
      await writeFile(path.join(ws.appDir, name), body);
    }
    await restoreCache(path.join(ws.root, 'no-cache'), ws);
    await grantWorkspace(ws, sandbox.owner);
    const result = await runBuildpacks({
      sandbox, buildDir: ws.appDir, cacheDir: ws.cacheDir, envDir: ws.envDir, auto: true,
      buildpacks: builtins,
      env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: ws.appDir }, deadline: Date.now() + 120_000, out: () => {},
    }).catch((err) => {
      if (err instanceof BuildFailedError && /not compatible/.test(err.message)) return { used: [] };
      throw err;
    });
    return result.used.map((b) => b.name);
  } finally {
    await removeWorkspace(ws);
    await sandbox.close();
  }
}

test('pure choice: auto takes the first that detects, explicit needs all', () => {
  const [a, b, c] = builtins;
  assert.deepEqual(chooseBuildpacks([{ bp: a, detected: false }, { bp: b, detected: true }, { bp: c, detected: true }], true).use, [b]);
  assert.deepEqual(chooseBuildpacks([{ bp: a, detected: false }], true).use, []);
  assert.equal(chooseBuildpacks([{ bp: a, detected: true }, { bp: b, detected: false }], false).failed, b);
  assert.deepEqual(chooseBuildpacks([{ bp: a, detected: true }, { bp: b, detected: true }], false).use, [a, b]);
});

test('detect order of the built-in buildpacks', async () => {
  assert.deepEqual(await detect({ 'Procfile': 'web: x\n', 'static.json': '{}' }), ['heroku/static']);
  assert.deepEqual(await detect({ 'Procfile': 'web: x\n' }), ['heroku/procfile']);
  assert.deepEqual(await detect({ 'Procfile': 'web: x\n', 'public/index.html': 'hi', 'requirements.txt': '' }), ['heroku/python']);
  assert.deepEqual(await detect({ 'README.md': 'nothing to run' }), []);
});

test('a Node.js app with a Procfile is still a Node.js app (nodejs is tried first)', async () => {
  // Compiles for real with the host npm (no dependencies, so nothing is downloaded).
  assert.deepEqual(await detect({ 'package.json': '{"name":"x","version":"1.0.0"}', 'Procfile': 'web: node x.js\n' }), ['heroku/nodejs']);
});

/** Runs one custom buildpack whose `bin/release` prints `releaseOutput`; returns the default process types. */
async function releaseWith(releaseOutput: string): Promise<Record<string, string>> {
  const sandbox = createProcessSandbox({ logger: silentLogger });
  const ws = await createWorkspace();
  try {
    const bp = path.join(ws.root, 'custom-bp');
    await mkdir(path.join(bp, 'bin'), { recursive: true });
    await writeFile(path.join(bp, 'bin/detect'), '#!/bin/sh\necho Custom\n', { mode: 0o755 });
    await writeFile(path.join(bp, 'bin/compile'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    await writeFile(path.join(bp, 'bin/release'), `#!/bin/sh\ncat <<'YAML'\n${releaseOutput}\nYAML\n`, { mode: 0o755 });
    await restoreCache(path.join(ws.root, 'no-cache'), ws);
    await grantWorkspace(ws, sandbox.owner);
    const result = await runBuildpacks({
      sandbox, buildDir: ws.appDir, cacheDir: ws.cacheDir, envDir: ws.envDir, auto: false,
      buildpacks: [{ name: 'custom', dir: bp }],
      env: { PATH: '/usr/bin:/bin', HOME: ws.appDir }, deadline: Date.now() + 60_000, out: () => {},
    });
    return result.defaultProcessTypes;
  } finally {
    await removeWorkspace(ws);
    await sandbox.close();
  }
}

test('bin/release output is read as full YAML (flow maps, folded strings)', async () => {
  assert.deepEqual(await releaseWith('--- {default_process_types: {web: "bin/web --port $PORT"}, addons: []}'), { web: 'bin/web --port $PORT' });
  assert.deepEqual(await releaseWith('default_process_types:\n  worker: >-\n    node\n    worker.js'), { worker: 'node worker.js' });
});

test('bin/release output that is not YAML fails the build naming the buildpack', async () => {
  await assert.rejects(releaseWith('default_process_types: {web: [unclosed'), (err: Error) => err instanceof BuildFailedError && /Custom buildpack: bin\/release printed invalid YAML/.test(err.message));
});
