import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../testing/mock-api.js';
import { runCommand } from '../testing/run-cli.js';

const api = useMockApi();

describe('logs', () => {
  it('opens a log session with the flags and prints the SSE data lines until the stream ends', async () => {
    api.expect('POST', '/apps/myapp/log-sessions', { status: 201, body: { id: 'ls1', logplex_url: `${api.url}/stream?token=abc` } });
    api.expectRaw('GET', '/stream', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': hello\n\nid: 1\ndata: 2026-01-01T00:00:00.000000+00:00 app[web.1]: Listening on 5000\n\n');
      res.end('id: 2\ndata: 2026-01-01T00:00:01.000000+00:00 heroku[router]: at=info status=200\n\n');
    });
    const r = await runCommand(['logs', '-a', 'myapp', '-n', '5', '--source', 'app', '--dyno', 'web.1'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { source: 'app', dyno: 'web.1', lines: 5, tail: false });
    assert.equal(r.stdout, '2026-01-01T00:00:00.000000+00:00 app[web.1]: Listening on 5000\n2026-01-01T00:00:01.000000+00:00 heroku[router]: at=info status=200\n');
    api.assertDone();
  });

  it('reads a plain-text logplex_url too', async () => {
    api.expect('POST', '/apps/myapp/log-sessions', { status: 201, body: { id: 'ls1', logplex_url: `${api.url}/plain` } });
    api.expectRaw('GET', '/plain', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('line one\nline two\n');
    });
    const r = await runCommand(['logs', '-a', 'myapp'], { apiUrl: api.url });
    assert.equal(r.stdout, 'line one\nline two\n');
    assert.deepEqual(api.requests[0].body, { lines: 100, tail: false });
    api.assertDone();
  });

  it('--tail reconnects with Last-Event-ID after the server closes, until aborted', async () => {
    const controller = new AbortController();
    api.expect('POST', '/apps/myapp/log-sessions', { status: 201, body: { id: 'ls1', logplex_url: `${api.url}/tail?token=t` } });
    api.expectRaw('GET', '/tail', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('retry: 10\nid: 41\ndata: first\n\n');
    });
    api.expectRaw('GET', '/tail', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('id: 42\ndata: second\n\n');
    });
    api.expectRaw('GET', '/tail', (_req, res) => {
      controller.abort();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    });
    const r = await runCommand(['logs', '--tail', '-a', 'myapp'], { apiUrl: api.url, signal: controller.signal });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'first\nsecond\n');
    assert.equal((api.requests[0].body as { tail: boolean }).tail, true);
    assert.equal(api.requests[2].headers['last-event-id'], '41');
    assert.equal(api.requests[3].headers['last-event-id'], '42');
    api.assertDone();
  });

  it('fails with one line when the stream is refused', async () => {
    api.expect('POST', '/apps/myapp/log-sessions', { status: 201, body: { id: 'ls1', logplex_url: `${api.url}/gone` } });
    api.expect('GET', '/gone', { status: 404, body: { id: 'not_found', message: 'gone' } });
    const r = await runCommand(['logs', '-a', 'myapp'], { apiUrl: api.url });
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'Error: Logs eventsource failed with: 404\n' });
  });
});
