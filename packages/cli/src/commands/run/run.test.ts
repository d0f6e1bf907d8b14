import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startMockApi, type MockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';
import { buildCommand } from './detached.js';

let api: MockApi;
beforeEach(async () => {
  api = await startMockApi();
});
afterEach(async () => {
  await api.close();
});

describe('run:detached', () => {
  it('POSTs a detached one-off dyno and tells how to see its output', async () => {
    api.expect('POST', '/apps/myapp/dynos', { status: 201, body: { name: 'run.1', state: 'starting' } });
    const r = await runCommand(['run:detached', '-a', 'myapp', '-s', 'standard-2x', '-e', 'A=1;B=x=y', 'rake', 'db:migrate', '--trace'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { attach: false, command: 'rake db:migrate --trace', env: { A: '1', B: 'x=y' }, size: 'standard-2x' });
    assert.equal(r.stderr, 'Running rake db:migrate --trace on myapp... done, run.1\n');
    assert.equal(r.stdout, 'Run slipway logs --app myapp --dyno run.1 to view the output.\n');
    api.assertDone();
  });

  it('retries a 409 (release not ready) twice', async () => {
    api.expect('POST', '/apps/myapp/dynos', { status: 409, body: { id: 'conflict', message: 'not yet' } });
    api.expect('POST', '/apps/myapp/dynos', { status: 201, body: { name: 'run.2' } });
    const r = await runCommand(['run', '--detached', '-a', 'myapp', '--', 'echo', 'hi there'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((api.requests[1].body as { command: string }).command, 'echo "hi there"');
    api.assertDone();
  });
});

describe('run', () => {
  it('says clearly that attached mode is not supported yet, exit 1, without calling the API', async () => {
    const r = await runCommand(['run', '-a', 'myapp', 'bash'], { apiUrl: api.url });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: Attached one-off dynos are not supported yet/);
    assert.equal(api.requests.length, 0);
  });

  it('joins arguments as the heroku CLI does', () => {
    assert.equal(buildCommand(['ls -la']), 'ls -la');
    assert.equal(buildCommand(['ls', '-la', 'a b', 'say "x"']), 'ls -la "a b" "say \\"x\\""');
  });
});
