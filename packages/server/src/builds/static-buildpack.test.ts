/**
 * The static buildpack's server is a file Slipway puts into the slug (`.slipway/static-server.cjs`)
 * and runs as the app's web process. An app whose own package.json says `"type": "module"` must
 * still get a working server: a `.js` copy there is loaded as an ES module and dies on `require`
 * (issue 20). Real buildpack (bin/compile and bin/release run by the buildpack runner), real node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { freePort } from '../../test/helpers/platform.js';
import path from 'node:path';
import { silentLogger } from '../log/index.js';
import { builtinBuildpackDir } from './buildpacks.js';
import { runBuildpacks } from './buildpack-runner.js';
import { createProcessSandbox } from './sandbox.js';
import { createWorkspace, grantWorkspace, removeWorkspace, restoreCache } from './workspace.js';


test('the static buildpack serves an app whose package.json says "type": "module"', async () => {
  const sandbox = createProcessSandbox({ logger: silentLogger });
  const ws = await createWorkspace();
  try {
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'esm-site', version: '1.0.0', type: 'module' }),
      'static.json': JSON.stringify({ root: 'public/', clean_urls: true }),
      'public/index.html': '<h1>hello from an ESM-scoped static site</h1>\n',
      'public/about.html': 'about\n',
    };
    for (const [name, body] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(ws.appDir, name)), { recursive: true });
      await writeFile(path.join(ws.appDir, name), body);
    }
    await restoreCache(path.join(ws.root, 'no-cache'), ws);
    await grantWorkspace(ws, sandbox.owner);
    const result = await runBuildpacks({
      sandbox, buildDir: ws.appDir, cacheDir: ws.cacheDir, envDir: ws.envDir, auto: false,
      buildpacks: [{ name: 'heroku/static', dir: builtinBuildpackDir('static') }],
      env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: ws.appDir }, deadline: Date.now() + 60_000, out: () => {},
    });
    const web = result.defaultProcessTypes.web;
    assert.equal(web, 'node .slipway/static-server.cjs');

    const port = await freePort();
    const [cmd, ...args] = web.split(' ');
    const child = spawn(cmd === 'node' ? process.execPath : cmd, args, { cwd: ws.appDir, env: { PORT: String(port), PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      let page: Response | undefined;
      for (let i = 0; i < 100 && !page; i++) {
        if (child.exitCode !== null) break;
        page = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
        if (!page) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(page, `the static server did not answer:\n${out}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /hello from an ESM-scoped static site/);
      const about = await fetch(`http://127.0.0.1:${port}/about`);
      assert.equal(await about.text(), 'about\n');
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    await removeWorkspace(ws);
    await sandbox.close();
  }
});
