import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../log/index.js';
import { createFeedClient, ROUTES_PATH } from './feed-client.js';
import type { RoutingTable } from './types.js';
import { until } from './test-support.js';

test('follows the SSE route feed: tables split across chunks, comments and other events skipped, token sent', async (t) => {
  let auth: string | undefined;
  const server = http.createServer((req, res) => {
    auth = req.headers.authorization;
    assert.equal(req.url, ROUTES_PATH);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': heartbeat\n\nretry: 1000\n\nevent: other\ndata: {"ignored":true}\n\n');
    res.write('event: table\r\ndata: {"version":1,');
    setTimeout(() => res.write('\r\ndata: "apps":{}}\r\n\r\nevent: table\ndata: {"version":2,"apps":{}}\n\n'), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tables: RoutingTable[] = [];
  const client = createFeedClient({
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: () => 'tok', logger: silentLogger,
    onTable: (table) => tables.push(table),
  });
  t.after(() => {
    client.stop();
    server.closeAllConnections();
    server.close();
  });
  client.start();
  await until(() => tables.length === 2, 'two tables');
  assert.deepEqual(tables, [{ version: 1, apps: {} }, { version: 2, apps: {} }] as unknown as RoutingTable[]);
  assert.equal(auth, 'Bearer tok');
  assert.equal(client.connected, true);
});
