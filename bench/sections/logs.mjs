// 5. Logs: lines/s through logplex publish → history (1 app and 10 apps at once, the per-app rate
// limit lifted so the pipeline itself is measured), and tail delay: publish → line seen in a live
// log session (POST /apps/{app}/log-sessions, tail, over real HTTP/SSE), beside the floor of a bare
// SSE server writing the same lines the moment they are published.
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApiClient } from '../lib/platform.mjs';
import { readyMessage } from '../lib/proc.mjs';
import { ratio } from '../lib/ratio.mjs';
import { round, summarize } from '../lib/stats.mjs';

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

export async function logs({ quick, scope, serverDist, log }) {
  const dataDir = await scope.tmpdir('logplex');
  const token = `slw_bench_${randomBytes(16).toString('hex')}`;
  const child = scope.spawn(process.execPath, [new URL('../lib/logplex-host.mjs', import.meta.url).pathname, path.join(serverDist, 'src'), dataDir, token, '100000000'], { ipc: true });
  const { apiPort, barePort } = await readyMessage(child, 'the logplex host');
  const api = createApiClient(`http://127.0.0.1:${apiPort}`, token);
  const names = Array.from({ length: 10 }, (_, i) => `bench-logs-${i + 1}`);
  for (const name of names) {
    const r = await api('POST', '/apps', { name });
    if (r.status !== 201) throw new Error(`creating ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const lines = quick ? 20_000 : 200_000;
  const one = await call(child, { cmd: 'throughput', apps: [names[0]], lines });
  const ten = await call(child, { cmd: 'throughput', apps: names, lines: lines / 10 });
  const throughput = [one, ten].map((t) => ({ apps: t.apps, lines: t.totalLines, ms: round(t.historyMs, 1), linesPerSec: round((t.totalLines / t.historyMs) * 1000, 0) }));
  log(`logs: ${throughput.map((t) => `${t.apps} app(s) ${t.linesPerSec} lines/s`).join(', ')}`);

  const session = await api('POST', `/apps/${names[0]}/log-sessions`, { tail: true, lines: 0 });
  if (session.status !== 201) throw new Error(`log session: ${session.status} ${JSON.stringify(session.body)}`);
  const tailRate = 200;
  const seconds = quick ? 5 : 20;
  const viaLogplex = sseDelays(session.body.logplex_url);
  const viaBare = sseDelays(`http://127.0.0.1:${barePort}/`);
  await Promise.all([viaLogplex.opened, viaBare.opened]);
  const { lines: published } = await call(child, { cmd: 'tail', app: names[0], rate: tailRate, seconds });
  const t0 = Date.now();
  while ((viaLogplex.delays.size < published || viaBare.delays.size < published) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
  viaLogplex.close();
  viaBare.close();
  const summ = (d) => {
    const s = summarize([...d.delays.values()]);
    return { seen: d.delays.size, p50: round(s.p50, 2), p99: round(s.p99, 2), max: round(s.max, 2) };
  };
  const tail = { rate: tailRate, seconds, published, logSession: summ(viaLogplex), bareSse: summ(viaBare) };
  log(`logs: tail delay p50 ${tail.logSession.p50} ms p99 ${tail.logSession.p99} ms (bare SSE p50 ${tail.bareSse.p50} ms), ${tail.logSession.seen}/${published} seen`);
  return {
    measured: true,
    throughput, tail, perAppRateLimit: 5000,
    ratios: [
      ratio('publish → history lines/s (1 app) / per-app rate limit (SLIPWAY_LOG_RATE_LIMIT default)', throughput[0].linesPerSec, 5000, '>=', 10, 'per-app rate limit'),
      ratio('tail delay p50, log session / bare SSE server', tail.logSession.p50, tail.bareSse.p50, '<=', 5, 'bare SSE server'),
      ratio('tail delay p99, log session / bare SSE server', tail.logSession.p99, tail.bareSse.p99, '<=', 5, 'bare SSE server'),
    ],
  };
}
