import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });

describe('builds:create', () => {
  it('POSTs the source URL, streams output_stream_url and checks the final status', async () => {
    api.expect('POST', '/apps/myapp/builds', { status: 201, body: { id: 'b1', status: 'pending', output_stream_url: `${api.url}/builds/b1/output` } });
    api.expectRaw('GET', '/builds/b1/output', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('-----> Building on the heroku-24 stack\n');
      res.end('-----> Launching... Released v4\n');
    });
    api.expect('GET', '/apps/myapp/builds/b1', { body: { id: 'b1', status: 'succeeded' } });
    const r = await run(['builds:create', '--source-url', 'https://example.com/app.tar.gz', '--version', 'abc123', '-a', 'myapp']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { source_blob: { url: 'https://example.com/app.tar.gz', version: 'abc123' } });
    assert.equal(r.stdout, '-----> Building on the heroku-24 stack\n-----> Launching... Released v4\n');
    api.assertDone();
  });

  it('exits 1 when the build failed', async () => {
    api.expect('POST', '/apps/myapp/builds', { status: 201, body: { id: 'b2', status: 'failed', output_stream_url: null } });
    const r = await run(['builds:create', '--source-url', 'https://example.com/app.tar.gz', '-a', 'myapp']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error: Build b2 failed.\n$/);
  });
});

describe('builds', () => {
  it('lists builds newest first', async () => {
    api.expect('GET', '/apps/myapp/builds', { body: [
      { id: 'b1', status: 'succeeded', user: { email: 'a@example.com' }, created_at: '2020-01-01T00:00:00Z' },
      { id: 'b2', status: 'failed', user: { email: 'a@example.com' }, created_at: '2020-01-02T00:00:00Z' },
    ] });
    const r = await run(['builds', '-a', 'myapp', '--json']);
    assert.deepEqual(JSON.parse(r.stdout).map((b: { id: string }) => b.id), ['b2', 'b1']);
    api.assertDone();
  });
});
