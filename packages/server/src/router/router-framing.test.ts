import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { aDyno, anApp, aTable, request, startRouter } from './test-support.js';

/** A raw TCP "dyno" answering each request with the next canned response, so framing is exact. */
async function rawDyno(responses: Record<string, string>): Promise<{ port: number; connections: () => number; heads: string[]; close(): Promise<void> }> {
  let connections = 0;
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        heads.push(head);
        const path = head.split(' ')[1];
        const reply = responses[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
        s.write(reply);
        if (/^x-close-after: yes$/im.test(reply)) s.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    heads,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

test('dyno responses of every framing are relayed, and only reusable connections are reused', async (t) => {
  const dyno = await rawDyno({
    '/length': 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nlength',
    '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nchu\r\n4;x=y\r\nnked\r\n0\r\nX-Trailer: 1\r\n\r\n',
    '/empty': 'HTTP/1.1 204 No Content\r\nX-Empty: yes\r\n\r\n',
    '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n',
    '/hinted': 'HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhinted',
    '/closing': 'HTTP/1.1 200 OK\r\nConnection: close\r\nX-Close-After: yes\r\nContent-Length: 7\r\n\r\nclosing',
    '/until-close': 'HTTP/1.1 200 OK\r\nX-Close-After: yes\r\n\r\nuntil close',
  });
  const r = await startRouter();
  t.after(async () => { await r.close(); await dyno.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: dyno.port })] })));
  const get = (path: string, method = 'GET') => request(r.port, { host: 'demo.localhost', path, method });

  for (let i = 0; i < 3; i++) assert.equal((await get('/length')).body, 'length');
  assert.equal(dyno.connections(), 1, 'one kept-alive connection for three requests');
  const chunked = await get('/chunked');
  assert.equal(chunked.body, 'chunked');
  assert.equal(chunked.headers['transfer-encoding'], 'chunked', 're-framed as chunked to the client');
  const empty = await get('/empty');
  assert.equal(empty.status, 204);
  assert.equal(empty.headers['x-empty'], 'yes');
  const head = await get('/head', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '6');
  assert.equal(head.body, '');
  assert.equal((await get('/hinted')).body, 'hinted');
  assert.equal(dyno.connections(), 1, 'still the same connection');

  assert.equal((await get('/closing')).body, 'closing');
  assert.equal((await get('/length')).body, 'length');
  assert.equal(dyno.connections(), 2, 'a new connection after Connection: close');
  const untilClose = await get('/until-close');
  assert.equal(untilClose.body, 'until close');
  assert.equal((await get('/length')).body, 'length');
  assert.equal(dyno.connections(), 3, 'a new connection after a body that ran until the close');
  assert.match(await r.line(/path="\/until-close"/), /status=200 bytes=11 /);

  // What the dyno saw: the request line, the client's headers and the router's, keep-alive.
  assert.match(dyno.heads[0], /^GET \/length HTTP\/1\.1\r\n/);
  assert.match(dyno.heads[0], /\r\nHost: demo\.localhost\r\n/);
  assert.match(dyno.heads[0], /\r\nX-Request-Id: [0-9a-f-]{36}\r\n/);
  assert.match(dyno.heads[0], /\r\nConnection: keep-alive$/);
});

test('a dyno that answers with something that is not HTTP gets H13', async (t) => {
  const dyno = await rawDyno({ '/': 'SSH-2.0-OpenSSH_9.2\r\n\r\n' });
  const r = await startRouter();
  t.after(async () => { await r.close(); await dyno.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: dyno.port })] })));
  const res = await request(r.port, { host: 'demo.localhost' });
  assert.equal(res.status, 503);
  assert.match(await r.line(/code=H13/), /dyno=web.1 /);
});

test('bodiless POSTs carry Content-Length: 0; chunked uploads stay chunked', async (t) => {
  const dyno = await rawDyno({ '/': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' });
  const r = await startRouter();
  t.after(async () => { await r.close(); await dyno.close(); });
  r.router.setTable(aTable(anApp({ dynos: [aDyno({ port: dyno.port })] })));
  assert.equal((await request(r.port, { host: 'demo.localhost', method: 'POST' })).body, 'ok');
  assert.match(dyno.heads[0], /^POST \/ HTTP\/1\.1\r\n/);
  assert.match(dyno.heads[0], /\r\nContent-Length: 0\r\n/);
});
