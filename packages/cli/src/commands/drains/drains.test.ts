import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });

describe('drains', () => {
  it('lists, adds and removes drains by URL', async () => {
    api.expect('GET', '/apps/myapp/log-drains', { body: [{ id: 'd1', url: 'syslog://logs.example.com:514', token: 'd.abc' }] });
    api.expect('POST', '/apps/myapp/log-drains', { status: 201, body: { id: 'd2', url: 'https://logs.example.com/in', token: 'd.def' } });
    api.expect('DELETE', '/apps/myapp/log-drains/syslog%3A%2F%2Flogs.example.com%3A514', { body: { id: 'd1', url: 'syslog://logs.example.com:514' } });
    assert.equal((await run(['drains', '-a', 'myapp'])).stdout, '=== Drains\n\nsyslog://logs.example.com:514 (d.abc)\n');
    assert.equal((await run(['drains:add', 'https://logs.example.com/in', '-a', 'myapp'])).stdout, 'Successfully added drain https://logs.example.com/in\n');
    assert.deepEqual(api.requests[1].body, { url: 'https://logs.example.com/in' });
    assert.equal((await run(['drains:remove', 'syslog://logs.example.com:514', '-a', 'myapp'])).stdout, 'Successfully removed drain syslog://logs.example.com:514\n');
    api.assertDone();
  });
});
