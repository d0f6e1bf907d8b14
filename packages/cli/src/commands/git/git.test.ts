import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMockApi, type MockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';
import { gitOk } from '../../git/git.js';

let api: MockApi;
let dir: string;
beforeEach(async () => {
  api = await startMockApi();
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-gitcmd-'));
});
afterEach(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('git:remote', () => {
  it('adds the remote (or -r NAME) and a credential helper for the API host in the local config', async () => {
    await gitOk(dir, ['init', '-q']);
    api.expect('GET', '/apps/myapp', { body: { name: 'myapp' } });
    api.expect('GET', '/apps/myapp', { body: { name: 'myapp' } });
    const r = await runCommand(['git:remote', '-a', 'myapp'], { apiUrl: api.url, cwd: dir, selfCommand: ['/usr/bin/node', '/opt/slip way/bin.js'] });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `set git remote slipway to ${api.url}/myapp.git\n`);
    const helpers = await gitOk(dir, ['config', '--local', '--get-all', `credential.${api.url}.helper`]);
    assert.equal(helpers, `\n!'/usr/bin/node' '/opt/slip way/bin.js' git:credentials\n`);
    const again = await runCommand(['git:remote', '-a', 'myapp', '-r', 'prod'], { apiUrl: api.url, cwd: dir, selfCommand: ['/usr/bin/node', '/x.js'] });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await gitOk(dir, ['remote'])).split('\n').filter(Boolean).sort().join(','), 'prod,slipway');
    assert.equal((await gitOk(dir, ['config', '--local', '--get-all', `credential.${api.url}.helper`])).split('\n').filter(Boolean).length, 1);
    api.assertDone();
  });

  it('needs -a and a git repository', async () => {
    assert.equal((await runCommand(['git:remote'], { apiUrl: api.url, cwd: dir })).code, 2);
    const r = await runCommand(['git:remote', '-a', 'myapp'], { apiUrl: api.url, cwd: dir });
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'Error: Not a git repository. Run `git init` first.\n' });
  });
});

describe('git:credentials', () => {
  it('answers get for the API host with username slipway and the token; store and erase print nothing', async () => {
    const host = new URL(api.url).host;
    const get = await runCommand(['git:credentials', 'get'], { apiUrl: api.url, apiKey: 'tok-9', stdin: `protocol=http\nhost=${host}\n\n` });
    assert.equal(get.stdout, 'username=slipway\npassword=tok-9\n');
    const other = await runCommand(['git:credentials', 'get'], { apiUrl: api.url, apiKey: 'tok-9', stdin: 'protocol=https\nhost=github.com\n\n' });
    assert.equal(other.stdout, '');
    const store = await runCommand(['git:credentials', 'store'], { apiUrl: api.url, apiKey: 'tok-9', stdin: `protocol=http\nhost=${host}\nusername=slipway\npassword=tok-9\n\n` });
    assert.deepEqual(store, { code: 0, stdout: '', stderr: '' });
  });
});
