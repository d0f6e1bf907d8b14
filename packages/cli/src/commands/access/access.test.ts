import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });

describe('access', () => {
  it('lists the owner first, then collaborators', async () => {
    api.expect('GET', '/apps/myapp/collaborators', { body: [{ role: 'collaborator', user: { email: 'dev@example.com' } }, { role: 'owner', user: { email: 'admin@example.com' } }] });
    const r = await run(['access', '-a', 'myapp']);
    assert.equal(r.stdout, '=== myapp Access List\n\n Email              Role\n ─────────────────  ────────────\n admin@example.com  owner\n dev@example.com    collaborator\n');
    api.assertDone();
  });

  it('adds with POST {user} and removes by email', async () => {
    api.expect('POST', '/apps/myapp/collaborators', { status: 201, body: {} });
    api.expect('DELETE', '/apps/myapp/collaborators/dev%40example.com', { body: {} });
    assert.equal((await run(['access:add', 'dev@example.com', '-a', 'myapp'])).stderr, 'Adding dev@example.com access to the app myapp... done\n');
    assert.deepEqual(api.requests[0].body, { user: 'dev@example.com' });
    assert.equal((await run(['access:remove', 'dev@example.com', '-a', 'myapp'])).stderr, 'Removing dev@example.com access from the app myapp... done\n');
    api.assertDone();
  });
});
