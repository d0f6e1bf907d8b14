// 5. Logs (issue 7): log throughput into the store and out to a syslog drain, and tail delay, each
// beside a peer measured in the same run on the same lines (N lines of 100 bytes in a temp file):
//   - into the store: publish → the last line in the app's durable history file, beside
//     `cat <file> > /dev/null` (the floor of moving the bytes);
//   - out to a drain: publish → the last line at a local syslog TCP receiver through a real drain
//     worker (RFC 5424, octet counting), beside rsyslogd relaying the same frames from imtcp to
//     omfwd (TCP, octet counting) to the same kind of receiver;
//   - tail delay p50/p99: publish → the line read from a live log session of the real API (SSE),
//     beside rsyslog's relay delay for single lines and a bare SSE server, all three sent at once.
// Throughput is measured twice: with the per-app rate limit raised (the machinery's ceiling) and
// with the default SLIPWAY_LOG_RATE_LIMIT (what a user gets: a dyno printing as fast as it can).
import { openSync, closeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApiClient } from '../lib/platform.mjs';
import { readyMessage } from '../lib/proc.mjs';
import { ratio } from '../lib/ratio.mjs';
import { findRsyslogd, rsyslogVersion, startRsyslogRelay } from '../lib/rsyslog.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { startSyslogReceiver } from '../lib/syslog-receiver.mjs';

export const DEFAULT_LOG_RATE_LIMIT = 5000;
const RAISED_LOG_RATE_LIMIT = 100_000_000;
const LINE_BYTES = 100;
const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ';

/** N lines of exactly LINE_BYTES bytes (plus '\n'), numbered: `bench-line i=0000042 lorem…`. */
export function benchLines(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const head = `bench-line i=${String(i).padStart(7, '0')} `;
    const off = (i * 7) % FILLER.length;
    out.push((head + (FILLER.slice(off) + FILLER).repeat(2)).slice(0, LINE_BYTES));
  }
  return out.join('\n') + '\n';
}

const perSec = (lines, ms) => (ms > 0 ? round((lines / ms) * 1000, 0) : null);

function call(child, msg) {
  const id = randomBytes(4).toString('hex');
  return new Promise((resolve, reject) => {
    const on = (m) => {
      if (m?.type !== 'result' || m.id !== id) return;
      child.off('message', on);
      if (m.error) reject(new Error(m.error)); else resolve(m.result);
    };
    child.on('message', on);
    child.send({ ...msg, id });
  });
}

/** The floor: `cat file > /dev/null` (spawn to exit), median of `repeats`. */
async function catToDevNull(file, repeats) {
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const fd = openSync('/dev/null', 'w');
    try {
      const t0 = performance.now();
      const code = await new Promise((resolve, reject) => {
        const child = spawn('cat', [file], { stdio: ['ignore', fd, 'ignore'] });
        child.on('error', reject);
        child.on('close', resolve);
      });
      if (code !== 0) throw new Error(`cat exited ${code}`);
      samples.push(performance.now() - t0);
    } finally {
      closeSync(fd);
    }
  }
  return { ms: summarize(samples).p50, samples: samples.map((s) => round(s, 2)) };
}

/** Reads an SSE stream; every `bench-tail i=N t=T` line's delay (now − T) is recorded. */
function sseDelays(url) {
  const delays = new Map();
  let req;
  const opened = new Promise((resolve, reject) => {
    req = http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`SSE ${url}: ${res.statusCode}`)); return; }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk) => {
        const now = performance.timeOrigin + performance.now();
        buf += chunk;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) {
          const m = /bench-tail i=(\d+) t=([0-9.]+)/.exec(l);
          if (m && !delays.has(m[1])) delays.set(m[1], now - Number(m[2]));
        }
      });
      resolve();
    });
    req.on('error', reject);
  });
  return { opened, delays, close: () => req.destroy() };
}

const summ = (delays) => {
  const s = summarize([...delays.values()]);
  return { seen: delays.size, p50: round(s.p50, 3), p99: round(s.p99, 3), max: round(s.max, 2) };
};

/** One logplex host process (store, logplex, API) with the given per-app rate limit. */
async function startHost(scope, serverDist, rateLimit) {
  const dataDir = await scope.tmpdir('logplex');
  const token = `slw_bench_${randomBytes(16).toString('hex')}`;
  const child = scope.spawn(process.execPath, [new URL('../lib/logplex-host.mjs', import.meta.url).pathname, path.join(serverDist, 'src'), dataDir, token, String(rateLimit)], { ipc: true });
  const { apiPort, barePort } = await readyMessage(child, 'the logplex host');
  const api = createApiClient(`http://127.0.0.1:${apiPort}`, token);
  const expect = async (what, status, req) => {
    const r = await req;
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    barePort,
    api,
    call: (msg) => call(child, msg),
    createApp: (name) => expect(`creating ${name}`, 201, api('POST', '/apps', { name })),
    addDrain: (name, url) => expect(`adding a drain to ${name}`, 201, api('POST', `/apps/${name}/log-drains`, { url })),
    logSession: (name, body) => expect(`log session of ${name}`, 201, api('POST', `/apps/${name}/log-sessions`, body)),
    stop: () => child.stop(),
  };
}

export async function logs({ quick, scope, serverDist, log }) {
  const lines = quick ? 20_000 : 200_000;
  const userSeconds = quick ? 2 : 5;
  const tailRate = 200;
  const tailSeconds = quick ? 5 : 20;
  const deadline = quick ? 60_000 : 180_000;
  const dir = await scope.tmpdir('logs');
  const file = path.join(dir, 'lines.txt');
  await writeFile(file, benchLines(lines));

  const floor = await catToDevNull(file, quick ? 3 : 7);
  const cat = { lines, ms: round(floor.ms, 2), linesPerSec: perSec(lines, floor.ms), samples: floor.samples };
  log(`logs: cat > /dev/null of ${lines} lines: ${cat.ms} ms, ${cat.linesPerSec} lines/s`);

  const receiver = await startSyslogReceiver(scope);
  const rsyslogBin = findRsyslogd();
  const rsyslogPeer = rsyslogBin ? { version: await rsyslogVersion(rsyslogBin) } : { version: null, reason: 'rsyslogd is not installed (Debian package rsyslog)' };
  const relay = rsyslogBin ? await startRsyslogRelay(scope, { bin: rsyslogBin, targetPort: receiver.port }) : undefined;
  const drainUrl = `syslog://127.0.0.1:${receiver.port}`;

  // The machinery's ceiling: the per-app rate limit raised out of the way.
  const raised = await startHost(scope, serverDist, RAISED_LOG_RATE_LIMIT);
  const storeApps = Array.from({ length: 10 }, (_, i) => `bench-store-${i + 1}`);
  for (const name of [...storeApps, 'bench-drain']) await raised.createApp(name);
  const drain = await raised.addDrain('bench-drain', drainUrl);

  const store1 = await raised.call({ cmd: 'offer', apps: [storeApps[0]], file, lines });
  const store10 = await raised.call({ cmd: 'offer', apps: storeApps, file, lines: lines / 10 });
  receiver.reset();
  const drained = await raised.call({ cmd: 'offer', apps: ['bench-drain'], file, lines, flowDrain: drain.id });
  const drainArrived = await receiver.waitForLines(lines, 'the syslog drain', deadline);
  const ceiling = {
    rateLimit: RAISED_LOG_RATE_LIMIT,
    store: { apps: 1, lines: store1.admitted, ms: round(store1.storedAt - store1.t0, 1), linesPerSec: perSec(store1.admitted, store1.storedAt - store1.t0) },
    store10: { apps: 10, lines: store10.admitted, ms: round(store10.storedAt - store10.t0, 1), linesPerSec: perSec(store10.admitted, store10.storedAt - store10.t0) },
    drain: { lines: drainArrived.lines, ms: round(drainArrived.at - drained.t0, 1), linesPerSec: perSec(drainArrived.lines, drainArrived.at - drained.t0), inOrder: drainArrived.inOrder, dropped: drained.drainDropped },
  };
  log(`logs (limit raised): store ${ceiling.store.linesPerSec} lines/s (10 apps ${ceiling.store10.linesPerSec}), syslog drain ${ceiling.drain.linesPerSec} lines/s`);

  let rsyslog = { measured: false, reason: rsyslogPeer.reason };
  if (relay) {
    receiver.reset();
    const sent = await raised.call({ cmd: 'relay', port: relay.port, host: 'bench-drain', file, lines });
    const arrived = await receiver.waitForLines(lines, 'the rsyslog relay', deadline)
      .catch((err) => { throw new Error(`${err.message}; rsyslogd said:\n${relay.output().slice(-2000)}`); });
    rsyslog = { measured: true, lines: arrived.lines, ms: round(arrived.at - sent.t0, 1), linesPerSec: perSec(arrived.lines, arrived.at - sent.t0), inOrder: arrived.inOrder };
    log(`logs: rsyslog relay ${rsyslog.linesPerSec} lines/s`);
  }
  await raised.stop();

  // What a user gets: the default per-app rate limit, a dyno printing as fast as it can for a few
  // seconds to an app with a syslog drain; lines over the limit are dropped (and reported as L12).
  const user = await startHost(scope, serverDist, DEFAULT_LOG_RATE_LIMIT);
  await user.createApp('bench-user');
  await user.createApp('bench-tail');
  await user.addDrain('bench-user', drainUrl);
  receiver.reset();
  const offered = await user.call({ cmd: 'offer', apps: ['bench-user'], file, seconds: userSeconds });
  const userArrived = await receiver.waitForLines(offered.admitted, 'the syslog drain (default limit)', deadline);
  const userDefault = {
    rateLimit: DEFAULT_LOG_RATE_LIMIT, seconds: userSeconds, offered: offered.offeredPerApp, admitted: offered.admitted,
    store: { ms: round(offered.storedAt - offered.t0, 1), linesPerSec: perSec(offered.admitted, offered.storedAt - offered.t0) },
    drain: { lines: userArrived.lines, ms: round(userArrived.at - offered.t0, 1), linesPerSec: perSec(userArrived.lines, userArrived.at - offered.t0) },
    // A token bucket of `limit` lines/s with bursts of one second's worth admits at most this many.
    allowed: Math.round(DEFAULT_LOG_RATE_LIMIT * (1 + offered.publishMs / 1000)),
  };
  log(`logs (default limit ${DEFAULT_LOG_RATE_LIMIT}/s): ${userDefault.admitted} of ${userDefault.offered} lines admitted (the limit allows ${userDefault.allowed}); store ${userDefault.store.linesPerSec} lines/s, drain ${userDefault.drain.linesPerSec} lines/s`);

  // Tail delay: each line goes at once to the log session (logplex → API → SSE), the bare SSE
  // server and the rsyslog relay, stamped by each path just before it is sent.
  const session = await user.logSession('bench-tail', { tail: true, lines: 0 });
  const viaLogplex = sseDelays(session.logplex_url);
  const viaBare = sseDelays(`http://127.0.0.1:${user.barePort}/`);
  await Promise.all([viaLogplex.opened, viaBare.opened]);
  receiver.reset();
  const { lines: published } = await user.call({ cmd: 'tail', app: 'bench-tail', rate: tailRate, seconds: tailSeconds, relayPort: relay?.port, host: 'bench-tail' });
  const t0 = Date.now();
  const done = () => viaLogplex.delays.size >= published && viaBare.delays.size >= published && (!relay || receiver.state.tail.size >= published);
  while (!done() && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
  viaLogplex.close();
  viaBare.close();
  await user.stop();
  const tail = {
    rate: tailRate, seconds: tailSeconds, published,
    logSession: summ(viaLogplex.delays), bareSse: summ(viaBare.delays),
    rsyslog: relay ? summ(receiver.state.tail) : null,
  };
  log(`logs: tail delay p50/p99 log session ${tail.logSession.p50}/${tail.logSession.p99} ms, rsyslog ${tail.rsyslog?.p50}/${tail.rsyslog?.p99} ms, bare SSE ${tail.bareSse.p50}/${tail.bareSse.p99} ms; seen ${tail.logSession.seen}/${published}`);

  const rs = rsyslog.measured ? rsyslog.linesPerSec : NaN;
  return {
    measured: true,
    lineBytes: LINE_BYTES, lines, perAppRateLimit: DEFAULT_LOG_RATE_LIMIT,
    peers: { rsyslog: rsyslogPeer.version, cat: 'coreutils cat' },
    cat, ceiling, rsyslog, userDefault, tail,
    // Goals: the store keeps per-line structure (seq, µs timestamp, formatted text, a JSON row)
    // where cat only moves bytes; a few µs of JS per line is ~1 % of cat's speed (tens of times the
    // default limit). A drain does that work plus RFC 5424 framing in one JS thread, where rsyslog is
    // C with input, queue and output threads: at least half its rate. The default limit must be both
    // given (≥ 0.9 of it) and held (≤ 1.05 of what its token bucket allows). Tails cross one more
    // event-loop hop and HTTP chunking than the relay; both are sub-millisecond, so ≤ 2×.
    ratios: [
      ratio('into the store, limit raised: publish → durable history lines/s / cat > /dev/null', ceiling.store.linesPerSec, cat.linesPerSec, '>=', 0.01, '`cat` of the same lines into /dev/null'),
      ratio('out to a syslog drain, limit raised: publish → receiver lines/s / rsyslog relay', ceiling.drain.linesPerSec, rs, '>=', 0.5, `rsyslog ${rsyslogPeer.version ?? '(missing)'} imtcp → omfwd`),
      ratio(`into the store, default limit (what a user gets): lines/s / SLIPWAY_LOG_RATE_LIMIT`, userDefault.store.linesPerSec, DEFAULT_LOG_RATE_LIMIT, '>=', 0.9, 'the per-app rate limit'),
      ratio(`out to a syslog drain, default limit (what a user gets): lines/s / SLIPWAY_LOG_RATE_LIMIT`, userDefault.drain.linesPerSec, DEFAULT_LOG_RATE_LIMIT, '>=', 0.9, 'the per-app rate limit'),
      ratio('default limit holds: lines admitted / at most allowed (limit × (1 s burst + seconds offered))', userDefault.admitted, userDefault.allowed, '<=', 1.05, 'the per-app rate limit'),
      ratio('tail delay p50 (ms), log session / rsyslog relay of single lines', tail.logSession.p50, tail.rsyslog?.p50 ?? NaN, '<=', 2, `rsyslog ${rsyslogPeer.version ?? '(missing)'} imtcp → omfwd`),
      ratio('tail delay p99 (ms), log session / rsyslog relay of single lines', tail.logSession.p99, tail.rsyslog?.p99 ?? NaN, '<=', 2, `rsyslog ${rsyslogPeer.version ?? '(missing)'} imtcp → omfwd`),
      ratio('tail delay p50 (ms), log session / bare SSE server', tail.logSession.p50, tail.bareSse.p50, '<=', 5, 'bare SSE server'),
      ratio('tail delay p99 (ms), log session / bare SSE server', tail.logSession.p99, tail.bareSse.p99, '<=', 5, 'bare SSE server'),
    ],
  };
}
