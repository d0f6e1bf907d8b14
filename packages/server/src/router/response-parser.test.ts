import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RESPONSE_HEAD, ResponseParser, type ResponseHead } from './response-parser.js';

interface Seen {
  informational: number[];
  head?: ResponseHead;
  body: string;
  complete?: { keepAlive: boolean };
  error?: string;
}

/** Parses `wire` fed in pieces of `step` bytes (Infinity = at once); `eof` = the dyno closed after it. */
function parse(wire: string, opts: { step?: number; head?: boolean; eof?: boolean } = {}): Seen {
  const seen: Seen = { informational: [], body: '' };
  const p = new ResponseParser({
    onInformational: (s) => seen.informational.push(s),
    onHead: (h) => (seen.head = h),
    onBody: (c) => (seen.body += c.toString('latin1')),
    onComplete: (keepAlive) => (seen.complete = { keepAlive }),
    onError: (reason) => (seen.error = reason),
  });
  p.reset(opts.head ?? false);
  const bytes = Buffer.from(wire, 'latin1');
  const step = opts.step ?? Infinity;
  for (let i = 0; i < bytes.length; i += step) p.execute(bytes.subarray(i, Math.min(bytes.length, i + step)));
  if (opts.eof) p.finish();
  return seen;
}

/** The same response parsed at once and byte by byte must give the same result. */
function both(wire: string, opts: { head?: boolean; eof?: boolean } = {}): Seen {
  const whole = parse(wire, opts);
  for (const step of [1, 2, 7]) assert.deepEqual(parse(wire, { ...opts, step }), whole, `fed ${step} byte(s) at a time`);
  return whole;
}

test('Content-Length bodies, raw header pairs with their case, keep-alive by default in HTTP/1.1', () => {
  const s = both('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n\r\nhello');
  assert.deepEqual(s.head, { status: 200, reason: 'OK', minor: 1, rawHeaders: ['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '5'] });
  assert.equal(s.body, 'hello');
  assert.deepEqual(s.complete, { keepAlive: true });
  assert.equal(s.error, undefined);
});

test('chunked bodies with extensions and trailers are decoded', () => {
  const s = both('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n');
  assert.equal(s.body, 'hello 0123456789');
  assert.deepEqual(s.complete, { keepAlive: true });
});

test('100 Continue and 103 Early Hints come before the final response', () => {
  const s = both('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
  assert.deepEqual(s.informational, [100, 103]);
  assert.equal(s.head?.status, 201);
  assert.equal(s.body, 'ok');
});

test('no body for HEAD, 204 and 304, whatever Content-Length says', () => {
  assert.deepEqual(both('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', { head: true }).complete, { keepAlive: true });
  assert.deepEqual(both('HTTP/1.1 204 No Content\r\n\r\n').complete, { keepAlive: true });
  assert.deepEqual(both('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').complete, { keepAlive: true });
});

test('a body without length runs until the close, and the connection is not reused', () => {
  const open = both('HTTP/1.1 200 OK\r\n\r\nstreamed until the end');
  assert.equal(open.complete, undefined);
  const closed = both('HTTP/1.1 200 OK\r\n\r\nstreamed until the end', { eof: true });
  assert.equal(closed.body, 'streamed until the end');
  assert.deepEqual(closed.complete, { keepAlive: false });
});

test('Connection: close, and HTTP/1.0 without keep-alive, end the connection after the response', () => {
  assert.deepEqual(both('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').complete, { keepAlive: false });
  assert.deepEqual(both('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').complete, { keepAlive: false });
  assert.deepEqual(both('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').complete, { keepAlive: true });
});

test('an obs-folded header value is joined with a space', () => {
  assert.deepEqual(both('HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nContent-Length: 0\r\n\r\n').head?.rawHeaders, ['X-Long', 'a b', 'Content-Length', '0']);
});

test('malformed responses fail: status line, header, framing, truncation, extra bytes, oversized head', () => {
  for (const [wire, eof] of [
    ['HTTP/2 200 OK\r\n\r\n', false],
    ['HTTP/1.1 20 OK\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nNoColon\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', false],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', false],
    ['HTTP/1.1 101 Switching Protocols\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', true],
    ['HTTP/1.1 200 OK\r\nContent-', true],
    [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_RESPONSE_HEAD)}\r\n\r\n`, false],
  ] as const) {
    assert.ok(parse(wire, { eof }).error, JSON.stringify(wire.slice(0, 80)));
    assert.ok(parse(wire, { eof, step: 3 }).error, `${JSON.stringify(wire.slice(0, 80))} in pieces`);
  }
});

test('the parser is reset for each response on a kept-alive connection', () => {
  const bodies: string[] = [];
  let completed = 0;
  const p = new ResponseParser({
    onInformational: () => {},
    onHead: () => bodies.push(''),
    onBody: (c) => (bodies[bodies.length - 1] += c.toString()),
    onComplete: () => completed++,
    onError: (r) => assert.fail(r),
  });
  for (const body of ['one', 'two', 'three']) {
    p.reset(false);
    assert.equal(p.pending, true);
    p.execute(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    assert.equal(p.pending, false);
  }
  assert.deepEqual(bodies, ['one', 'two', 'three']);
  assert.equal(completed, 3);
});
