import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });

const installed = (...urls: string[]) => urls.map((url, ordinal) => ({ ordinal, buildpack: { url, name: url } }));

describe('buildpacks', () => {
  it('lists buildpacks, numbered when several', async () => {
    api.expect('GET', '/apps/myapp/buildpack-installations', { body: installed('nodejs', 'python') });
    api.expect('GET', '/apps/myapp/buildpack-installations', { body: [] });
    assert.equal((await run(['buildpacks', '-a', 'myapp'])).stdout, '=== myapp Buildpack URLs\n\n1. nodejs\n2. python\n');
    assert.equal((await run(['buildpacks', '-a', 'myapp'])).stdout, 'myapp has no Buildpacks.\n');
    api.assertDone();
  });

  it('set replaces, add inserts, clear empties, all with PUT updates', async () => {
    api.expect('GET', '/apps/myapp/buildpack-installations', { body: [] });
    api.expect('PUT', '/apps/myapp/buildpack-installations', { body: installed('nodejs') });
    api.expect('GET', '/apps/myapp/buildpack-installations', { body: installed('nodejs') });
    api.expect('PUT', '/apps/myapp/buildpack-installations', { body: installed('python', 'nodejs') });
    api.expect('PUT', '/apps/myapp/buildpack-installations', { body: [] });
    assert.match((await run(['buildpacks:set', 'nodejs', '-a', 'myapp'])).stdout, /^Buildpack set. Next release on myapp will use nodejs./);
    assert.deepEqual(api.requests[1].body, { updates: [{ buildpack: 'nodejs' }] });
    assert.equal(api.requests[1].headers.range, '');
    const add = await run(['buildpacks:add', 'python', '-i', '1', '-a', 'myapp']);
    assert.match(add.stdout, /Next release on myapp will use:\n {2}1. python\n {2}2. nodejs\n/);
    assert.deepEqual(api.requests[3].body, { updates: [{ buildpack: 'python' }, { buildpack: 'nodejs' }] });
    assert.equal((await run(['buildpacks:clear', '-a', 'myapp'])).stdout, 'Buildpacks cleared. Next release on myapp will detect buildpacks normally.\n');
    assert.deepEqual(api.requests[4].body, { updates: [] });
    api.assertDone();
  });

  it('refuses to add a buildpack twice', async () => {
    api.expect('GET', '/apps/myapp/buildpack-installations', { body: installed('nodejs') });
    const r = await run(['buildpacks:add', 'nodejs', '-a', 'myapp']);
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'Error: The buildpack nodejs is already set on your app.\n' });
    api.assertDone();
  });
});
