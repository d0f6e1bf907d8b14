// Runs Slipway's real router process (packages/server/dist/src/router/process-main.js, as main.ts's
// supervisor does) against a fixed routing table. The router follows its route feed over SSE and
// ships its log lines and metrics back in NDJSON batches; here a small feed server in the bench
// process plays the API's two internal endpoints (the same wire protocol) and counts what arrives.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { httpGet, readyMessage, waitFor } from './proc.mjs';

export const APP_HOST = 'bench.localhost';

export function routingTable(dynos, concurrency = null) {
  return {
    version: 1,
    apps: [{
      appId: 'app-bench', name: 'bench', hostnames: [APP_HOST], maintenance: false, concurrency,
      dynos: dynos.map((d, i) => ({ name: `web.${i + 1}`, state: 'up', host: d.host ?? '127.0.0.1', port: d.port })),
    }],
  };
}

/**
 * @param {ReturnType<import('./proc.mjs').createScope>} scope
 * @param {{ serverDist: string, dynos: {host?: string, port: number}[], concurrency?: number|null, readyPath?: string, env?: Record<string, string> }} o
 */
export async function startSlipwayRouter(scope, o) {
  const token = `slw_bench_${randomBytes(16).toString('hex')}`;
  const table = routingTable(o.dynos, o.concurrency ?? null);
  const shipped = { log: 0, metric: 0 };
  const feed = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) { res.writeHead(401).end(); return; }
    if (req.method === 'GET' && req.url === '/internal/router/routes') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`retry: 1000\n\nevent: table\ndata: ${JSON.stringify(table)}\n\n`);
      return;
    }
    if (req.method === 'POST' && req.url === '/internal/router/logs') {
      let rest = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) if (l.includes('"type":"log"')) shipped.log++; else if (l.includes('"type":"router-summary"')) shipped.metric++;
      });
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":0}'));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => feed.listen(0, '127.0.0.1', r));
  scope.defer(() => new Promise((r) => { feed.closeAllConnections(); feed.close(() => r()); }));
  const dataDir = await scope.tmpdir('router');
  // The same node flags the supervisor gives the router process (a larger young generation).
  const { ROUTER_NODE_FLAGS } = await import(pathToFileURL(path.join(o.serverDist, 'src/router/index.js')).href);
  const child = scope.spawn(process.execPath, [...ROUTER_NODE_FLAGS, path.join(o.serverDist, 'src/router/process-main.js')], {
    ipc: true,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME ?? dataDir,
      SLIPWAY_INTERNAL_TOKEN: token, SLIPWAY_API_PORT: String(feed.address().port), SLIPWAY_ROUTER_PORT: '0',
      SLIPWAY_LISTEN_HOST: '127.0.0.1', SLIPWAY_DATA_DIR: dataDir, SLIPWAY_LOG_LEVEL: 'warn',
      ...o.env,
    },
  });
  const { port } = await readyMessage(child, 'the Slipway router');
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the router to route the bench app', async () => (await httpGet(`${url}${o.readyPath ?? '/'}`, { host: APP_HOST })).status === 200, 20_000);
  return { url, port, pid: child.pid, shipped, child };
}
