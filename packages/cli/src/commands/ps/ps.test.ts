import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi, useTimezone } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
useTimezone('UTC');
const now = new Date('2026-11-22T22:06:01Z');
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url, now });

describe('ps', () => {
  it('prints one-offs and command groups with since-times', async () => {
    api.expect('GET', '/apps/myapp/dynos', {
      body: [
        { name: 'web.2', type: 'web', state: 'crashed', command: 'npm start', size: 'Standard-1X', updated_at: '2026-11-22T22:03:42Z' },
        { name: 'run.4821', type: 'run', state: 'up', command: 'bash', size: 'Basic', updated_at: '2026-11-22T22:05:12Z' },
        { name: 'web.1', type: 'web', state: 'up', command: 'npm start', size: 'Standard-1X', updated_at: '2026-11-22T14:05:42Z' },
      ],
    });
    const r = await run(['ps', '-a', 'myapp']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      '=== run: one-off processes (1)', '', 'run.4821 (Basic): up 2026/11/22 22:05:12 +0000 (~ 49s ago): bash', '',
      '=== web (Standard-1X): npm start (2)', '', 'web.1: up 2026/11/22 14:05:42 +0000 (~ 8h ago)', 'web.2: crashed 2026/11/22 22:03:42 +0000 (~ 2m ago)', '',
    ].join('\n'));
    api.assertDone();
  });

  it('says when there are no dynos, and errors on an unknown type', async () => {
    api.expect('GET', '/apps/myapp/dynos', { body: [] });
    api.expect('GET', '/apps/myapp/dynos', { body: [] });
    assert.equal((await run(['ps', '-a', 'myapp'])).stdout, 'No dynos on myapp\n');
    assert.deepEqual(await run(['ps', 'worker', '-a', 'myapp']), { code: 1, stdout: '', stderr: 'Error: No worker dynos on myapp\n' });
    api.assertDone();
  });
});

describe('ps:scale', () => {
  it('PATCHes quantities as strings and prints the changed types', async () => {
    api.expect('PATCH', '/apps/myapp/formation', {
      body: [
        { type: 'web', quantity: 2, size: 'standard-1x' },
        { type: 'worker', quantity: 3, size: 'Standard-1X' },
        { type: 'clock', quantity: 1, size: 'Standard-2X' },
      ],
    });
    const r = await run(['ps:scale', 'web=2', 'worker+1', '-a', 'myapp']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { updates: [{ type: 'web', quantity: '2' }, { type: 'worker', quantity: '+1' }] });
    assert.equal(r.stderr, 'Scaling dynos... done, now running web at 2:Standard-1X, worker at 3:Standard-1X\n');
    api.assertDone();
  });

  it('sends the size with TYPE=N:SIZE and relative decrements', async () => {
    api.expect('PATCH', '/apps/myapp/formation', { body: [{ type: 'web', quantity: 1, size: 'standard-2x' }, { type: 'worker', quantity: 0, size: 'standard-1x' }] });
    const r = await run(['ps:scale', 'web=1:standard-2x', 'worker-1', '-a', 'myapp']);
    assert.deepEqual(api.requests[0].body, { updates: [{ type: 'web', quantity: '1', size: 'standard-2x' }, { type: 'worker', quantity: '-1' }] });
    assert.equal(r.stderr, 'Scaling dynos... done, now running web at 1:Standard-2X, worker at 0:Standard-1X\n');
    api.assertDone();
  });

  it('shows the formation without arguments, and rejects a malformed argument before any call', async () => {
    api.expect('GET', '/apps/myapp/formation', { body: [{ type: 'worker', quantity: 0, size: 'standard-1x' }, { type: 'web', quantity: 2, size: 'Standard-1X' }] });
    assert.equal((await run(['ps:scale', '-a', 'myapp'])).stdout, 'web=2:Standard-1X worker=0:Standard-1X\n');
    const bad = await run(['ps:scale', 'web', '-a', 'myapp']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^Error: Invalid argument "web"/);
    api.assertDone();
  });

  it('shows the API refusal (unknown type) as one line', async () => {
    api.expect('PATCH', '/apps/myapp/formation', { status: 404, body: { id: 'not_found', message: "Couldn't find that process type (nope)." } });
    const r = await run(['ps:scale', 'nope=1', '-a', 'myapp']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "Scaling dynos... !\nError: Couldn't find that process type (nope).\n");
  });
});

describe('ps:type', () => {
  const formation = [{ type: 'web', quantity: 2, size: 'Standard-1X' }, { type: 'worker', quantity: 1, size: 'standard-1x' }];
  it('changes every type with one size and redraws the table', async () => {
    api.expect('GET', '/apps/myapp/formation', { body: formation });
    api.expect('PATCH', '/apps/myapp/formation', { body: [] });
    api.expect('GET', '/apps/myapp/formation', { body: formation.map((f) => ({ ...f, size: 'Standard-2X' })) });
    const r = await run(['ps:type', 'standard-2x', '-a', 'myapp']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[1].body, { updates: [{ size: 'standard-2x', type: 'web' }, { size: 'standard-2x', type: 'worker' }] });
    assert.equal(r.stdout, ' Type    Size         Qty  Memory\n ──────  ───────────  ───  ───────\n web     Standard-2X  2    1024 MB\n worker  Standard-2X  1    1024 MB\n');
    api.assertDone();
  });

  it('validates TYPE=SIZE types against the formation', async () => {
    api.expect('GET', '/apps/myapp/formation', { body: formation });
    const r = await run(['ps:type', 'clock=basic', '-a', 'myapp']);
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'Error: Type clock not found in process formation. Types: web, worker\n' });
    api.assertDone();
  });
});

describe('ps:restart, ps:stop, ps:kill', () => {
  it('restarts all dynos, a type (formations) or a dyno', async () => {
    api.expect('DELETE', '/apps/myapp/dynos', { status: 202, body: {} });
    api.expect('DELETE', '/apps/myapp/formations/web', { status: 202, body: {} });
    api.expect('DELETE', '/apps/myapp/dynos/web.1', { status: 202, body: {} });
    api.expect('DELETE', '/apps/myapp/formations/worker', { status: 202, body: {} });
    assert.equal((await run(['ps:restart', '-a', 'myapp'])).stderr, 'Restarting all dynos on myapp... done\n');
    assert.equal((await run(['ps:restart', 'web', '-a', 'myapp'])).stderr, 'Restarting all web dynos on myapp... done\n');
    assert.equal((await run(['ps:restart', 'web.1', '-a', 'myapp'])).stderr, 'Restarting dyno web.1 on myapp... done\n');
    assert.equal((await run(['restart', '-p', 'worker', '-a', 'myapp'])).code, 0);
    api.assertDone();
  });

  it('stops a dyno or a type with a bodiless POST, and needs one of them', async () => {
    api.expect('POST', '/apps/myapp/dynos/run.4821/actions/stop', { status: 202, body: {} });
    api.expect('POST', '/apps/myapp/formations/worker/actions/stop', { status: 202, body: {} });
    assert.equal((await run(['ps:stop', 'run.4821', '-a', 'myapp'])).stderr, 'Stopping dyno run.4821 on myapp... done\n');
    assert.equal((await run(['ps:kill', 'worker', '-a', 'myapp'])).stderr, 'Stopping all worker dynos on myapp... done\n');
    assert.equal(api.requests[0].rawBody, '');
    assert.equal((await run(['ps:stop', '-a', 'myapp'])).code, 2);
    api.assertDone();
  });
});
