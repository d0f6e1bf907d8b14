import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardedFor, normalizeHost, pickRequestId, requestHeadersToDyno, responseHeadersToClient, stripHopByHop } from './headers.js';
import { formatRouterLine } from './log-line.js';

test('hop-by-hop headers are dropped, including those named in Connection and Proxy-*', () => {
  const raw = ['Host', 'a', 'Connection', 'keep-alive, X-Custom', 'X-Custom', '1', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked',
    'TE', 'trailers', 'Trailer', 'X-T', 'Upgrade', 'h2c', 'Proxy-Authorization', 'x', 'Proxy-Connection', 'close', 'X-Keep', 'yes'];
  assert.deepEqual(stripHopByHop(raw), ['Host', 'a', 'X-Keep', 'yes']);
});

test('X-Request-Id is kept when 20–200 of [A-Za-z0-9+/=-], otherwise replaced by a UUID', () => {
  const ok = 'A'.repeat(20);
  assert.equal(pickRequestId(ok), ok);
  assert.equal(pickRequestId('a+b/c=d-e'.repeat(3)), 'a+b/c=d-e'.repeat(3));
  for (const bad of [undefined, 'short', 'A'.repeat(201), `${'A'.repeat(20)} x`, `${'A'.repeat(20)}_`]) {
    assert.match(pickRequestId(bad), /^[0-9a-f-]{36}$/, String(bad));
  }
});

test('X-Forwarded-For appends the client IP; Via accumulates; upgrade headers are kept only for upgrades', () => {
  assert.equal(forwardedFor(undefined, '1.2.3.4'), '1.2.3.4');
  assert.equal(forwardedFor('9.9.9.9', '1.2.3.4'), '9.9.9.9, 1.2.3.4');
  const info = { requestId: 'r'.repeat(20), clientIp: '1.2.3.4', proto: 'https' as const, port: 443, receivedAt: 1700000000123 };
  const out = requestHeadersToDyno(['Host', 'h', 'Via', '1.0 cdn', 'X-Request-Start', 'spoofed', 'Connection', 'Upgrade', 'Upgrade', 'websocket'], info);
  assert.deepEqual(out, ['Host', 'h', 'X-Request-Id', 'r'.repeat(20), 'X-Forwarded-For', '1.2.3.4', 'X-Forwarded-Proto', 'https',
    'X-Forwarded-Port', '443', 'X-Request-Start', '1700000000123', 'Via', '1.0 cdn, 1.1 slipway']);
  const up = requestHeadersToDyno(['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket'], info, true);
  assert.deepEqual(up.slice(-4), ['Connection', 'Upgrade', 'Upgrade', 'websocket']);
  assert.deepEqual(responseHeadersToClient(['Content-Type', 'text/plain', 'Connection', 'close']), ['Content-Type', 'text/plain', 'Via', '1.1 slipway']);
});

test('hosts are normalised: case, port, trailing dot; junk is refused', () => {
  assert.equal(normalizeHost('My-App.LocalHost:8080'), 'my-app.localhost');
  assert.equal(normalizeHost('www.example.com.'), 'www.example.com');
  for (const bad of [undefined, '', '[::1]:80', 'a b', 'host:port', 'x/y']) assert.equal(normalizeHost(bad), undefined, String(bad));
});

test('router log lines follow Heroku’s format, with blanks for fields that do not apply', () => {
  const base = { method: 'GET', path: '/a?b="c"', host: 'demo.localhost', requestId: 'id-1', fwd: '1.2.3.4', protocol: 'http' as const, queueMs: 0 };
  assert.equal(formatRouterLine({ ...base, dyno: 'web.1', connectMs: 1.2, serviceMs: 18.7, status: 200, bytes: 1382 }),
    'at=info method=GET path="/a?b=\\"c\\"" host=demo.localhost request_id=id-1 fwd="1.2.3.4" dyno=web.1 connect=1ms service=19ms status=200 bytes=1382 protocol=http queue=0ms');
  assert.equal(formatRouterLine({ ...base, code: 'H10', dyno: null, connectMs: null, serviceMs: null, status: 503, bytes: null }),
    'at=error code=H10 desc="App crashed" method=GET path="/a?b=\\"c\\"" host=demo.localhost request_id=id-1 fwd="1.2.3.4" dyno= connect= service= status=503 bytes= protocol=http queue=0ms');
  assert.match(formatRouterLine({ ...base, code: 'H27', dyno: 'web.1', connectMs: 0, serviceMs: 5, status: 499, bytes: 0 }), /^at=warning code=H27 .* status=499 bytes=0 protocol=http sock=client queue=0ms$/);
});
