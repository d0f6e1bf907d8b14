/**
 * Issue 19, findings 6 and 7: a large body with `Connection: close` lost its 413 (the connection was
 * reset before the body was read: 27 of 63 cases), and a client that hung up mid-body was logged at
 * `level=error` with a stack trace. The whole platform in this process (its log lines captured); raw
 * sockets that write their whole body before reading, as most clients do.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessPlatform, type InProcessPlatform } from '../helpers/in-process-platform.js';
import { rawSocket } from '../helpers/raw-http.js';

let p: InProcessPlatform;
before(async () => {
  p = await startInProcessPlatform();
  const r = await fetch(`${p.url}/apps`, { method: 'POST', headers: { Authorization: `Bearer ${p.token}`, 'Content-Type': 'application/json' }, body: '{"name":"bodies-a"}' });
  assert.equal(r.status, 201);
});
after(async () => { await p?.stop(); });

/**
 * Sends the request in one go (headers and the whole body) and reads only once it is all written,
 * as a blocking client does; a write that fails (the server closed early) is what such a client
 * sees instead of the answer.
 */
async function exchange(head: string, body: Buffer): Promise<string> {
  const s = await rawSocket(p.url);
  s.pause();
  let text = '';
  let failed: string | null = null;
  s.on('error', (err) => (failed ??= (err as NodeJS.ErrnoException).code ?? String(err)));
  const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
  await new Promise<void>((resolve) => {
    s.write(head);
    s.write(body, () => resolve());
  });
  if (failed || s.destroyed) return `write failed: ${failed}`;
  s.on('data', (d: Buffer) => (text += d.toString('latin1')));
  s.resume();
  await closed;
  return failed && text === '' ? `read failed: ${failed}` : text;
}

const bigJson = (bytes: number) => Buffer.from(JSON.stringify({ A: 'x'.repeat(bytes) }));

test('a body over the limit with Connection: close gets its 413, declared or chunked, on every kind of route', async () => {
  const auth = `Authorization: Bearer ${p.token}\r\n`;
  const cases: [string, string, number, string][] = [
    ['PATCH', '/apps/bodies-a/config-vars', 413, auth],
    ['POST', '/apps', 413, auth],
    ['POST', '/apps/bodies-a/domains', 413, auth],
    ['PATCH', '/apps/no-such-app/config-vars', 404, auth],
    ['DELETE', '/apps/no-such-app', 404, auth],
    ['PATCH', '/apps/bodies-a/config-vars', 401, ''],
    ['POST', '/no/such/route', 404, auth],
  ];
  const failures: string[] = [];
  for (const [method, path, status, authLine] of cases) {
    for (const size of [2 * 1024 * 1024, 6 * 1024 * 1024]) {
      const body = bigJson(size);
      const declared = await exchange(`${method} ${path} HTTP/1.1\r\nHost: x\r\n${authLine}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body);
      if (!declared.startsWith(`HTTP/1.1 ${status} `)) failures.push(`${method} ${path} ${size} declared: ${JSON.stringify(declared.slice(0, 40))}`);
      const chunked = Buffer.concat([Buffer.from(body.length.toString(16) + '\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]);
      const streamed = await exchange(`${method} ${path} HTTP/1.1\r\nHost: x\r\n${authLine}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`, chunked);
      if (!streamed.startsWith(`HTTP/1.1 ${status} `)) failures.push(`${method} ${path} ${size} chunked: ${JSON.stringify(streamed.slice(0, 40))}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('the 413 names the limit in a Heroku-style body, and the app is unchanged', async () => {
  const body = bigJson(2 * 1024 * 1024);
  const text = await exchange(`PATCH /apps/bodies-a/config-vars HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body);
  const json = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
  assert.equal(json.id, 'payload_too_large');
  assert.match(json.message, /1048576 bytes/);
  const config = await (await fetch(`${p.url}/apps/bodies-a/config-vars`, { headers: { Authorization: `Bearer ${p.token}` } })).json();
  assert.deepEqual(config, {});
});

test('a client that disconnects mid-body is one info line, no error, no stack', async () => {
  const before = p.logLines.length;
  const s = await rawSocket(p.url);
  s.write(`PATCH /apps/bodies-a/config-vars HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"A": "`);
  await new Promise((r) => setTimeout(r, 200));
  s.destroy();
  await new Promise((r) => setTimeout(r, 500));
  const lines = p.logLines.slice(before);
  assert.equal(lines.filter((l) => l.includes('at=api.client_disconnected')).length, 1, lines.join('\n'));
  assert.ok(lines.every((l) => l.startsWith('level=info') || l.startsWith('level=debug')), lines.join('\n'));
  assert.ok(!lines.some((l) => /\n\s+at /.test(l) || l.includes('stack')), lines.join('\n'));
});

test('after a drained 413 a keep-alive connection goes on serving', async () => {
  const s = await rawSocket(p.url);
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const body = bigJson(2 * 1024 * 1024);
  s.write(`PATCH /apps/bodies-a/config-vars HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  s.write(body);
  s.write(`GET /account HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.token}\r\nConnection: close\r\n\r\n`);
  await new Promise<void>((resolve) => s.on('close', () => resolve()));
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
  assert.deepEqual(statuses, ['413', '200']);
});
