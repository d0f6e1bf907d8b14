import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSseParser, streamLines } from './stream.js';
import { startMockApi } from '../testing/mock-api.js';

describe('SSE parser', () => {
  it('prints data lines, splits multi-line data, ignores comments and named events, remembers id and retry', () => {
    const lines: string[] = [];
    const state: { lastEventId?: string; retryMs?: number } = {};
    const p = createSseParser((l) => lines.push(l), state);
    p.push(': ping\n\nid: 1\ndata: 2026-01-01T00:00:00Z app[web.1]: hello\n\n');
    p.push('event: other\ndata: ignored\n\nretry: 500\nid: 2\ndata: a\ndata: b\r\n\r\ndata:no-space');
    p.push('\n\n');
    p.end();
    assert.deepEqual(lines, ['2026-01-01T00:00:00Z app[web.1]: hello', 'a', 'b', 'no-space']);
    assert.deepEqual(state, { lastEventId: '2', retryMs: 500 });
  });
});

describe('streamLines', () => {
  it('reads an event stream and a plain text stream', async () => {
    const api = await startMockApi();
    try {
      api.expectRaw('GET', '/sse', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('id: 7\ndata: one\n\n');
        res.end('data: two\n\n');
      });
      api.expectRaw('GET', '/plain', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('-----> Building\n-----> Done');
        res.end();
      });
      const got: string[] = [];
      const r = await streamLines(`${api.url}/sse`, { onLine: (l) => got.push(l), lastEventId: '3' });
      assert.equal(r.lastEventId, '7');
      assert.equal(api.requests[0].headers['last-event-id'], '3');
      await streamLines(`${api.url}/plain`, { onLine: (l) => got.push(l) });
      assert.deepEqual(got, ['one', 'two', '-----> Building', '-----> Done']);
      api.assertDone();
    } finally {
      await api.close();
    }
  });

  it('stops cleanly when aborted mid-stream', async () => {
    const api = await startMockApi();
    const controller = new AbortController();
    try {
      api.expectRaw('GET', '/tail', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('data: first\n\n');
      });
      const r = await streamLines(`${api.url}/tail`, {
        signal: controller.signal,
        onLine: () => controller.abort(),
      });
      assert.equal(r.aborted, true);
    } finally {
      await api.close();
    }
  });
});
