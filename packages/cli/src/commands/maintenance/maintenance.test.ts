import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });

describe('maintenance', () => {
  it('shows on/off and PATCHes the app', async () => {
    api.expect('GET', '/apps/myapp', { body: { name: 'myapp', maintenance: true } });
    api.expect('PATCH', '/apps/myapp', { body: { name: 'myapp', maintenance: true } });
    api.expect('PATCH', '/apps/myapp', { body: { name: 'myapp', maintenance: false } });
    assert.equal((await run(['maintenance', '-a', 'myapp'])).stdout, 'on\n');
    assert.equal((await run(['maintenance:on', '-a', 'myapp'])).stderr, 'Enabling maintenance mode for myapp... done\n');
    assert.equal((await run(['maintenance:off', '-a', 'myapp'])).stderr, 'Disabling maintenance mode for myapp... done\n');
    assert.deepEqual(api.requests.map((r) => r.body), [undefined, { maintenance: true }, { maintenance: false }]);
    api.assertDone();
  });
});
