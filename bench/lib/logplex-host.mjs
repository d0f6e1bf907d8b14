// The logs benchmark's platform side, as a child process: the compiled store (SQLite in a temp data
// dir), logplex (durable history, drains) and the Platform API with the log-session and log-drain
// routes, exactly as main.ts composes them, plus a bare SSE server (a floor). argv: <dist/src>
// <dataDir> <admin token> <SLIPWAY_LOG_RATE_LIMIT>. The parent drives it over IPC:
//   { cmd: 'offer', apps, file, lines | seconds, flowDrain? }
//       publish the file's lines (one per line, to every app) — `lines` of them, or cycling for
//       `seconds` as fast as possible — then wait until the last admitted line is in the app's
//       durable history file; replies with the epoch ms of the first publish and of that moment.
//       flowDrain (a drain id): pause while that drain's buffer is over half full, so a drain
//       whose buffer would overflow is measured at the rate it sustains, without drops.
//   { cmd: 'relay', port, host, file, lines }
//       send the same lines, framed as a Slipway drain frames them (RFC 5424, octet counting),
//       over one TCP connection to a syslog relay (rsyslog's imtcp), as fast as it takes them.
//   { cmd: 'tail', app, rate, seconds, relayPort, host }
//       publish at a fixed rate, each line stamped with its send time (epoch ms), to logplex, to
//       the bare SSE server's clients and to the syslog relay.
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [distArg, dataDir, adminToken, rateLimitArg] = process.argv.slice(2);
const dist = (p) => import(pathToFileURL(path.join(distArg, p)).href);
const { testConfig } = await dist('config.js');
const { createStore } = await dist('store/index.js');
const { createEventBus } = await dist('events/index.js');
const { createLogplex, frameEntry, rfc5424Micros } = await dist('logplex/index.js');
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

// A floor for tails: a bare SSE server that writes each line to its clients the moment it is published.
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
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function appId(name) {
  const app = await store.apps.findByName(name);
  if (!app) throw new Error(`no app ${name}`);
  return app.id;
}

const files = new Map();
function linesOf(file) {
  if (!files.has(file)) files.set(file, readFileSync(file, 'utf8').split('\n').filter((l) => l !== ''));
  return files.get(file);
}

/** The `q` (seq) of the last complete line of an app's history segment file, or 0. */
async function flushedSeq(id) {
  const fh = await fs.open(path.join(dataDir, 'logs', `${id}.log`), 'r').catch(() => undefined);
  if (!fh) return 0;
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, 65_536);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const rows = buf.toString('utf8').split('\n');
    rows.pop(); // '' after the last newline, or a torn row
    return rows.length ? JSON.parse(rows.at(-1)).q : 0;
  } finally {
    await fh.close();
  }
}

async function waitFlushed(id, seq) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if ((await flushedSeq(id)) >= seq) return epochMs();
    if (Date.now() > deadline) throw new Error(`the history file of ${id} never reached seq ${seq}`);
    await sleep(2);
  }
}

async function offer({ apps: names, file, lines, seconds, flowDrain }) {
  const text = linesOf(file);
  const ids = await Promise.all(names.map(appId));
  // What the channel admitted (the rate limit may drop lines): counted as a log session would see them.
  const seen = ids.map(() => ({ all: 0, bench: 0, lastSeq: 0 }));
  const offs = ids.map((id, k) => logplex.subscribe(id, {}, (e) => {
    const s = seen[k];
    s.all++;
    if (e.message.startsWith('bench-line ')) {
      s.bench++;
      s.lastSeq = e.seq;
    }
  }));
  const half = config.drainBufferLines / 2;
  const t0 = epochMs();
  const p0 = performance.now();
  const until = seconds ? p0 + seconds * 1000 : Infinity;
  let offered = 0;
  for (let i = 0; seconds ? !(i % 500 === 0 && performance.now() >= until) : i < lines; i++) {
    const message = text[i % text.length];
    for (const id of ids) logplex.publish(id, { source: 'app', dyno: 'web.1', message });
    offered++;
    if (i % 500 === 499) {
      await tick();
      if (flowDrain) while ((logplex.drains.stats(flowDrain)?.buffered ?? 0) > half) await tick();
    }
  }
  const publishMs = performance.now() - p0;
  // The dispatcher is idle once nothing was admitted across two of its turns.
  for (let last = -1; ;) {
    const now = seen.reduce((n, s) => n + s.all, 0);
    if (now === last) break;
    last = now;
    await tick();
    await tick();
  }
  const storedAt = Math.max(...(await Promise.all(ids.map((id, k) => waitFlushed(id, seen[k].lastSeq)))));
  for (const off of offs) off();
  return {
    apps: ids.length, t0, storedAt, publishMs, offeredPerApp: offered,
    admittedPerApp: seen.map((s) => s.bench), admitted: seen.reduce((n, s) => n + s.bench, 0),
    drainDropped: flowDrain ? logplex.drains.stats(flowDrain)?.droppedTotal ?? null : null,
  };
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', reject);
    s.resume();
  });
}

const frame = (host, message) => frameEntry({ timestamp: rfc5424Micros(Math.round(epochMs() * 1000)), source: 'app', dyno: 'web.1', message }, host);

async function relay({ port, host, file, lines }) {
  const text = linesOf(file);
  const socket = await connect(port);
  const t0 = epochMs();
  for (let i = 0; i < lines; i += 100) {
    const frames = [];
    for (let j = i; j < Math.min(lines, i + 100); j++) frames.push(frame(host, text[j % text.length]));
    if (!socket.write(Buffer.concat(frames))) await new Promise((r) => socket.once('drain', r));
  }
  await new Promise((r) => socket.end(r));
  return { t0, sent: lines, writeMs: epochMs() - t0 };
}

const PAD = ' lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore';

async function tail({ app, rate, seconds, relayPort, host }) {
  const id = await appId(app);
  const socket = relayPort ? await connect(relayPort) : undefined;
  const n = Math.round(rate * seconds);
  const t0 = performance.now() + 50;
  const line = (i) => `bench-tail i=${i} t=${epochMs().toFixed(3)}${PAD}`.slice(0, 100);
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    // Each path stamps its copy just before it sends it.
    logplex.publish(id, { source: 'app', dyno: 'web.1', message: line(i) });
    for (const c of bareClients) c.write(`data: ${line(i)}\n\n`);
    socket?.write(frame(host, line(i)));
  }
  socket?.end();
  return { lines: n };
}

process.on('message', async (m) => {
  try {
    const commands = { offer, relay, tail };
    if (!commands[m.cmd]) throw new Error(`unknown command ${m.cmd}`);
    process.send({ type: 'result', id: m.id, result: await commands[m.cmd](m) });
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
