import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';
import { gitOk } from '../../git/git.js';

const api = useMockApi();

describe('config', () => {
  it('prints `=== app Config Vars` and aligned, sorted KEY: value lines', async () => {
    api.expect('GET', '/apps/myapp/config-vars', { body: { ZED: 'last', FOO: 'bar', DATABASE_URL: 'postgres://x' } });
    const r = await runCommand(['config', '-a', 'myapp'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '=== myapp Config Vars\n\nDATABASE_URL: postgres://x\nFOO:          bar\nZED:          last\n');
    api.assertDone();
  });

  it('prints JSON and shell forms', async () => {
    api.expect('GET', '/apps/myapp/config-vars', { body: { FOO: 'a b' } });
    api.expect('GET', '/apps/myapp/config-vars', { body: { FOO: 'a b' } });
    assert.deepEqual(JSON.parse((await runCommand(['config', '-a', 'myapp', '--json'], { apiUrl: api.url })).stdout), { FOO: 'a b' });
    assert.equal((await runCommand(['config', '-a', 'myapp', '-s'], { apiUrl: api.url })).stdout, "FOO='a b'\n");
    api.assertDone();
  });

  it('takes the app from the git remote when -a is not given', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-cfg-'));
    try {
      await gitOk(dir, ['init', '-q']);
      await gitOk(dir, ['remote', 'add', 'slipway', `${api.url}/remote-app.git`]);
      api.expect('GET', '/apps/remote-app/config-vars', { body: {} });
      const r = await runCommand(['config'], { apiUrl: api.url, cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      api.assertDone();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with one line and no API call when there is no app', async () => {
    const r = await runCommand(['config'], { apiUrl: api.url });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: No app specified. Use -a APP, or add a remote with `slipway git:remote -a APP`.\n');
    assert.equal(api.requests.length, 0);
  });

  it('prints an API error as `Error: <message>` with exit code 2', async () => {
    api.expect('GET', '/apps/nope/config-vars', { status: 404, body: { id: 'not_found', message: "Couldn't find that app.", resource: 'app' } });
    const r = await runCommand(['config', '-a', 'nope'], { apiUrl: api.url });
    assert.deepEqual(r, { code: 2, stdout: '', stderr: "Error: Couldn't find that app.\n" });
    api.assertDone();
  });
});

describe('config:get', () => {
  it('prints the value, or an empty line when missing', async () => {
    api.expect('GET', '/apps/myapp/config-vars', { body: { FOO: 'bar' } });
    api.expect('GET', '/apps/myapp/config-vars', { body: { FOO: 'bar' } });
    assert.equal((await runCommand(['config:get', 'FOO', '-a', 'myapp'], { apiUrl: api.url })).stdout, 'bar\n');
    assert.deepEqual(JSON.parse((await runCommand(['config:get', 'NOPE', '-a', 'myapp', '--json'], { apiUrl: api.url })).stdout), { key: 'NOPE', value: null });
    api.assertDone();
  });
});

describe('config:set', () => {
  it('PATCHes string values split at the first =, reads the last release and prints what it set', async () => {
    api.expect('PATCH', '/apps/myapp/config-vars', (req) => ({ body: { ...(req.body as object), OTHER: 'x' } }));
    api.expect('GET', '/apps/myapp/releases', { body: [{ version: 12 }] });
    const r = await runCommand(['config:set', 'FOO=bar', 'URL=postgres://u:p@h/db?a=1', 'GREETING=hello world', '-a', 'myapp'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { FOO: 'bar', URL: 'postgres://u:p@h/db?a=1', GREETING: 'hello world' });
    assert.equal(api.requests[1].headers.range, 'version ..; order=desc,max=1');
    assert.equal(r.stderr, 'Setting FOO, URL, GREETING and restarting myapp... done, v12\n');
    assert.equal(r.stdout, 'FOO:      bar\nURL:      postgres://u:p@h/db?a=1\nGREETING: hello world\n');
    api.assertDone();
  });

  it('rejects a pair without = before calling the API', async () => {
    const r = await runCommand(['config:set', 'FOO', '-a', 'myapp'], { apiUrl: api.url });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: FOO is invalid. Must be in the format FOO=bar.\n');
    assert.equal(api.requests.length, 0);
  });
});

describe('config:unset', () => {
  it('PATCHes nulls and prints the new release', async () => {
    api.expect('PATCH', '/apps/myapp/config-vars', { body: {} });
    api.expect('GET', '/apps/myapp/releases', { body: [{ version: 13 }] });
    const r = await runCommand(['config:unset', 'A', 'B', '-a', 'myapp'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { A: null, B: null });
    assert.equal(r.stderr, 'Unsetting A, B and restarting myapp... done, v13\n');
    api.assertDone();
  });
});
