import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiClient, path } from './client.js';
import { ApiError, CliError } from '../framework/errors.js';
import { startMockApi } from '../testing/mock-api.js';

describe('api client', () => {
  it('sends the v3 Accept header, the Bearer token and JSON bodies', async () => {
    const api = await startMockApi();
    try {
      api.expect('PATCH', '/apps/my%20app/config-vars', { body: { A: '1' } });
      const client = createApiClient({ baseUrl: api.url, token: async () => 'tok-1' });
      assert.deepEqual(await client.patch(path`/apps/${'my app'}/config-vars`, { A: '1' }), { A: '1' });
      const req = api.requests[0];
      assert.equal(req.headers.accept, 'application/vnd.heroku+json; version=3');
      assert.equal(req.headers.authorization, 'Bearer tok-1');
      assert.equal(req.headers['content-type'], 'application/json');
      assert.deepEqual(req.body, { A: '1' });
      api.assertDone();
    } finally {
      await api.close();
    }
  });

  it('turns Heroku error bodies into ApiError (exit 2) and other bodies into one-line errors', async () => {
    const api = await startMockApi();
    try {
      api.expect('GET', '/apps/nope', { status: 404, body: { id: 'not_found', message: "Couldn't find that app.", resource: 'app' } });
      api.expect('GET', '/boom', { status: 500, body: 'boom\ntrace', headers: { 'Content-Type': 'text/plain' } });
      api.expect('GET', '/account', { status: 401, body: { id: 'unauthorized', message: 'Invalid credentials provided.' } });
      const client = createApiClient({ baseUrl: api.url });
      await assert.rejects(client.get('/apps/nope'), (e: ApiError) => e instanceof ApiError && e.exitCode === 2 && e.id === 'not_found' && e.message === "Couldn't find that app.");
      await assert.rejects(client.get('/boom'), (e: CliError) => !(e instanceof ApiError) && e.exitCode === 1 && e.message === `HTTP Error 500 for GET ${api.url}/boom: boom trace`);
      await assert.rejects(client.get('/account'), /Invalid credentials provided. Log in with `slipway login`/);
      assert.equal(api.requests[0].headers.authorization, undefined);
      api.assertDone();
    } finally {
      await api.close();
    }
  });

  it('follows Next-Range on 206 and concatenates pages, but not for partial requests', async () => {
    const api = await startMockApi();
    try {
      api.expect('GET', '/users/~/apps', { status: 206, body: [{ name: 'a' }], headers: { 'Next-Range': ']a..; max=1' } });
      api.expect('GET', '/users/~/apps', { status: 200, body: [{ name: 'b' }] });
      api.expect('GET', '/apps/x/releases', { status: 206, body: [{ version: 2 }], headers: { 'Next-Range': ']2..; max=1' } });
      const client = createApiClient({ baseUrl: api.url });
      assert.deepEqual(await client.get('/users/~/apps'), [{ name: 'a' }, { name: 'b' }]);
      assert.equal(api.requests[1].headers.range, ']a..; max=1');
      assert.deepEqual(await client.get('/apps/x/releases', { range: 'version ..; max=1', partial: true }), [{ version: 2 }]);
      assert.equal(api.requests[2].headers.range, 'version ..; max=1');
      api.assertDone();
    } finally {
      await api.close();
    }
  });

  it('reports an unreachable API as one clear line', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const client = createApiClient({ baseUrl: `http://127.0.0.1:${port}` });
    await assert.rejects(client.get('/account'), (e: CliError) => e instanceof CliError && /^Cannot reach the Slipway API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/.test(e.message) && !e.message.includes('\n'));
  });
});
