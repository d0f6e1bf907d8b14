// The logs benchmark's platform side, as a child process: the compiled store (SQLite in a temp data
// dir), logplex (durable history) and the Platform API with the log-session routes, exactly as
// main.ts composes them, plus a bare SSE server (the floor). The parent drives it over IPC:
//   { cmd: 'throughput', apps: [name…], lines }  publish as fast as possible → wait until history has them
//   { cmd: 'tail', app, rate, seconds }            publish at a fixed rate, each line stamped with its
//                                                  publish time, to logplex and to the bare SSE server
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [distArg, dataDir, adminToken, rateLimitArg] = process.argv.slice(2);
const dist = (p) => import(pathToFileURL(path.join(distArg, p)).href);
const { testConfig } = await dist('config.js');
const { createStore } = await dist('store/index.js');
const { createEventBus } = await dist('events/index.js');
const { createLogplex } = await dist('logplex/index.js');
const { createAppService } = await dist('apps/index.js');
const { bootstrapAdmin, createAuth } = await dist('auth/index.js');
const { createApi } = await dist('api/index.js');
const { logRoutes } = await dist('api/routes/log-sessions.js');
const { silentLogger } = await dist('log/index.js');

const apiPort = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
// url: so that logplex_url points at this listener.
const config = testConfig({ dataDir, adminToken, apiRateLimit: 0, logRateLimit: Number(rateLimitArg), listenHost: '127.0.0.1', apiPort, url: `http://127.0.0.1:${apiPort}` });
const store = await createStore({ databaseUrl: '', dataDir, logger: silentLogger });
const events = createEventBus();
const logplex = createLogplex({ config, store, events, logger: silentLogger });
await logplex.start();
const apps = createAppService({ store, events, logs: logplex, config, logger: silentLogger });
await bootstrapAdmin({ store, config, logger: silentLogger });
const auth = createAuth({ store });
const api = createApi({ config, store, events, logs: logplex, apps, logger: silentLogger, auth, extraRoutes: logRoutes({ apps, logplex, config }) });
await api.listen(apiPort, '127.0.0.1');

// The floor: a bare SSE server that writes each line to its clients the moment it is published.
const bareClients = new Set();
const bare = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.socket?.setNoDelay(true);
  res.write(': welcome\n\n');
  bareClients.add(res);
  req.on('close', () => bareClients.delete(res));
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));

const epochMs = () => performance.timeOrigin + performance.now();
const tick = () => new Promise((r) => setImmediate(r));

async function appId(name) {
  const app = await store.apps.findByName(name);
  if (!app) throw new Error(`no app ${name}`);
  return app.id;
}

async function throughput({ apps: names, lines }) {
  const ids = await Promise.all(names.map(appId));
  const start = ids.map((id) => logplex.history(id, { lines: 1 }).at(-1)?.seq ?? 0);
  const t0 = performance.now();
  for (let i = 0; i < lines; i++) {
    for (const id of ids) logplex.publish(id, { source: 'app', dyno: 'web.1', message: `bench line ${i} lorem ipsum dolor sit amet, consectetur adipiscing elit` });
    if (i % 500 === 499) await tick();
  }
  const published = performance.now() - t0;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const seen = ids.map((id, k) => (logplex.history(id, { lines: 1 }).at(-1)?.seq ?? 0) - start[k]);
    if (seen.every((n) => n >= lines)) break;
    if (Date.now() > deadline) throw new Error(`history has ${seen.join(',')} of ${lines} lines per app`);
    await tick();
  }
  const ms = performance.now() - t0;
  return { apps: ids.length, linesPerApp: lines, totalLines: lines * ids.length, publishMs: published, historyMs: ms };
}

async function tail({ app, rate, seconds }) {
  const id = await appId(app);
  const n = Math.round(rate * seconds);
  const t0 = performance.now() + 50;
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const message = `bench-tail i=${i} t=${epochMs().toFixed(3)}`;
    logplex.publish(id, { source: 'app', dyno: 'web.1', message });
    for (const c of bareClients) c.write(`data: ${message}\n\n`);
  }
  return { lines: n };
}

process.on('message', async (m) => {
  try {
    const result = m.cmd === 'throughput' ? await throughput(m) : m.cmd === 'tail' ? await tail(m) : undefined;
    process.send({ type: 'result', id: m.id, result });
  } catch (err) {
    process.send({ type: 'result', id: m.id, error: String(err?.stack ?? err) });
  }
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  for (const c of bareClients) c.end();
  bare.close();
  await api.close();
  await logplex.stop();
  await store.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.send({ type: 'ready', apiPort, barePort: bare.address().port });
