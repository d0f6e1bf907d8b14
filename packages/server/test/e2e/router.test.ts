/**
 * The routing mesh end to end (issue 6, docs/router.md): the real platform, a real `git push` of
 * test/fixtures/apps/router-probe, real web dynos started by the dyno manager, and the real router
 * process. Balancing (a burst goes to the idle dyno while the other is held busy), H12 after a
 * shortened SLIPWAY_ROUTER_TIMEOUT_MS, H10 after a crash loop, H14 with web=0, H80 with
 * `heroku maintenance:on`, a custom domain from `heroku domains:add`, the headers the dyno sees, a
 * WebSocket echo, 100 MB streamed each way with the router's memory high-water mark checked, and
 * the API process restarted (SIGTERM, then SIGKILL) on the same data dir while a client keeps
 * sending requests through the router.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';

const APP = 'probe';
const CRASHER = 'probe-crash';
const ROUTER_TIMEOUT_MS = 6_000;
const MB = 1024 * 1024;

let platform: RunningPlatform;
let cli: HerokuCli;
let co: Checkout;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the router with a chosen Host header; the body is read whole (small replies only). */
function viaRouter(host: string, p: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: platform.routerPort, path: p, method: opts.method ?? 'GET', agent, headers: { Host: host, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const appHost = (app: string) => `${app}.localhost:${platform.routerPort}`;
const requestId = (tag: string) => `${tag}-${randomBytes(12).toString('hex')}`;

async function heroku(...args: string[]): Promise<string> {
  const r = await cli.run(args);
  assert.equal(r.code, 0, `heroku ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}

/** The app's log history (the last 1,500 lines), as `source[dyno]: message` (the timestamp cut off). */
async function logLines(app: string, filter: { source?: 'app' | 'heroku'; dyno?: string } = {}): Promise<string[]> {
  const s = await api<{ logplex_url: string }>(platform.url, platform.token, 'POST', `/apps/${app}/log-sessions`, { lines: 1500, ...filter });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const text = await (await fetch(s.body.logplex_url)).text();
  return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6).replace(/^\S+ (?=\w+\[)/, ''));
}

/** Waits for the router's log line of one request (lines are shipped to the API in batches). */
function routerLine(app: string, id: string): Promise<string> {
  return waitFor(`the router line of ${id}`, async () => (await logLines(app, { source: 'heroku', dyno: 'router' })).find((l) => l.includes(`request_id=${id} `)), 30_000);
}

const field = (line: string, name: string) => new RegExp(`(?:^|\\s)${name}=("[^"]*"|\\S*)`).exec(line)?.[1];

interface DynoJson { name: string; type: string; state: string }

async function webDynos(app: string): Promise<DynoJson[]> {
  const r = await api<DynoJson[]>(platform.url, platform.token, 'GET', `/apps/${app}/dynos`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.filter((d) => d.type === 'web');
}

async function waitWebUp(app: string, count: number): Promise<void> {
  await waitFor(`${count} web dynos of ${app} up`, async () => {
    const up = (await webDynos(app)).filter((d) => d.state === 'up');
    return up.length === count ? true : undefined;
  }, 90_000);
  // ...and routed: every one of them answers through the router.
  await waitFor(`${count} web dynos of ${app} routed`, async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8 * count; i += 1) {
      const r = await viaRouter(appHost(app), '/whoami').catch(() => undefined);
      if (r?.status === 200) seen.add(r.body);
    }
    return seen.size === count ? true : undefined;
  }, 60_000);
}

async function push(app: string): Promise<void> {
  const r = await co.git(['push', remoteUrl(platform.apiPort, app, platform.token), 'HEAD:main']);
  assert.equal(r.code, 0, r.output);
}

/** VmHWM (peak resident set) of a process, in bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  assert.ok(kb, status);
  return Number(kb[1]) * 1024;
}

async function routerPid(): Promise<number> {
  return Number((await readFile(path.join(platform.dataDir, 'router.pid'), 'utf8')).trim());
}

/** The platform's own process (found by its data dir; the helper does not expose its pid). */
async function platformPid(): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
      const environ = (await readFile(`/proc/${entry}/environ`, 'utf8')).split('\0');
      if (cmdline.some((a) => /(^|\/)src\/main\.(ts|js)$/.test(a)) && environ.includes(`SLIPWAY_DATA_DIR=${platform.dataDir}`)) return Number(entry);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  throw new Error('the platform process was not found');
}

type Outcome = 'ok' | `page ${string}` | `conn ${string}`;

/** Sends GET /whoami through the router back to back until stopped; every outcome is kept. */
function keepRequesting(): { outcomes: Outcome[]; stop(): Promise<void> } {
  const outcomes: Outcome[] = [];
  let stopped = false;
  const loopAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const one = () => new Promise<Outcome>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: platform.routerPort, path: '/whoami', agent: loopAgent, timeout: 20_000, headers: { Host: appHost(APP) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? 'ok' : `page ${res.statusCode} ${/H\d\d/.exec(body)?.[0] ?? ''}`));
      res.on('error', (err: NodeJS.ErrnoException) => resolve(`conn ${err.code ?? err.message}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`conn ${err.code ?? err.message}`));
  });
  const loop = (async () => {
    while (!stopped) {
      outcomes.push(await one());
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return { outcomes, async stop() { stopped = true; await loop; loopAgent.destroy(); } };
}

function tally(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ');
}

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_ROUTER_TIMEOUT_MS: String(ROUTER_TIMEOUT_MS), SLIPWAY_BUILD_ISOLATION: 'none' } });
  cli = await herokuCli(platform);
  co = await checkout('router-probe');
  await heroku('apps:create', APP);
  await push(APP);
  await heroku('ps:scale', 'web=2', '-a', APP);
  await waitWebUp(APP, 2);
});

after(async () => {
  agent.destroy();
  await co?.close();
  await cli?.close();
  await platform?.stop();
});

describe('the routing mesh with real dynos', () => {
  test('two web dynos: a burst of fast requests all goes to the idle one while the other is held busy, which then gets H12', async () => {
    // Hold one dyno busy with a request that outlives the router timeout.
    const slowId = requestId('slow');
    const slow = viaRouter(appHost(APP), '/slow?ms=600000', { headers: { 'X-Request-Id': slowId } });
    const startLine = await waitFor('the slow request to reach a dyno', async () =>
      (await logLines(APP, { source: 'app' })).find((l) => l.includes(`request_id=${slowId}`)), 30_000);
    const busy = /app\[(web\.\d+)\]/.exec(startLine)?.[1];
    assert.ok(busy, startLine);
    const idle = busy === 'web.1' ? 'web.2' : 'web.1';

    const burst: string[] = [];
    for (let i = 0; i < 20; i += 1) burst.push(requestId(`fast${i}`));
    const servedBy: string[] = [];
    for (const id of burst) {
      const r = await viaRouter(appHost(APP), '/fast', { headers: { 'X-Request-Id': id } });
      assert.equal(r.status, 200, r.body);
      servedBy.push(r.body);
    }
    assert.deepEqual(servedBy, burst.map(() => idle), `the busy dyno was ${busy}`);

    // The slow request: H12 after the (shortened) timeout, the error page and the router line.
    const timedOut = await slow;
    assert.equal(timedOut.status, 503);
    assert.match(timedOut.headers['content-type'] ?? '', /text\/html/);
    assert.equal(timedOut.headers['cache-control'], 'no-cache, no-store');
    assert.match(timedOut.body, /Application error/);
    assert.match(timedOut.body, /H12/);
    assert.ok(timedOut.body.includes(slowId), 'the page shows the request id');

    const h12 = await routerLine(APP, slowId);
    assert.match(h12, /^heroku\[router\]: at=error code=H12 desc="Request timeout" method=GET path="\/slow\?ms=600000" /);
    assert.equal(field(h12, 'dyno'), busy);
    assert.equal(field(h12, 'status'), '503');
    const service = Number(field(h12, 'service')?.replace('ms', ''));
    assert.ok(service >= ROUTER_TIMEOUT_MS, `service=${service}ms covers the ${ROUTER_TIMEOUT_MS} ms window`);
    for (const id of burst) {
      const line = await routerLine(APP, id);
      assert.match(line, /^heroku\[router\]: at=info method=GET path="\/fast" /);
      assert.equal(field(line, 'dyno'), idle, line);
      assert.equal(field(line, 'status'), '200', line);
      assert.equal(field(line, 'host'), appHost(APP));
    }
  });

  test('the dyno sees X-Request-Id, X-Forwarded-For/Proto/Port, X-Request-Start and Via', async () => {
    const id = requestId('hdrs');
    const before = Date.now();
    const r = await viaRouter(appHost(APP), '/headers', {
      headers: { 'X-Request-Id': id, 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https', 'X-Request-Start': '1', Via: '1.1 edge' },
    });
    assert.equal(r.status, 200, r.body);
    const seen = JSON.parse(r.body) as { dyno: string; headers: Record<string, string> };
    assert.equal(seen.headers['x-request-id'], id);
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http', 'a client value is replaced');
    assert.equal(seen.headers['x-forwarded-port'], String(platform.routerPort));
    const start = Number(seen.headers['x-request-start']);
    assert.ok(start >= before - 1000 && start <= Date.now() + 1000, `X-Request-Start=${start} is the router's clock in ms`);
    assert.equal(seen.headers.via, '1.1 edge, 1.1 slipway');
    assert.equal(seen.headers.host, appHost(APP));
    assert.match(r.headers.via ?? '', /1\.1 slipway/);

    const generated = await viaRouter(appHost(APP), '/headers', { headers: { 'X-Request-Id': 'short' } });
    const genId = (JSON.parse(generated.body) as { headers: Record<string, string> }).headers['x-request-id'];
    assert.match(genId, /^[0-9a-f-]{36}$/, 'an invalid X-Request-Id is replaced by a UUID');
    const line = await routerLine(APP, genId);
    assert.equal(field(line, 'dyno'), (JSON.parse(generated.body) as { dyno: string }).dyno);
    assert.equal(field(line, 'fwd'), '"127.0.0.1"');
  });

  test('a custom domain from `heroku domains:add` is routed by its Host header; unknown hosts get a 404 naming no app', async () => {
    assert.match(await heroku('domains:add', 'www.probe-e2e.test', '-a', APP), /www\.probe-e2e\.test/);
    const r = await waitFor('the custom domain to be routed', async () => {
      const res = await viaRouter(`WWW.Probe-E2E.test:${platform.routerPort}`, '/whoami');
      return res.status === 200 ? res : undefined;
    }, 10_000);
    assert.match(r.body, /^web\.[12]$/);
    const trailingDot = await viaRouter('www.probe-e2e.test.', '/whoami');
    assert.equal(trailingDot.status, 200);

    const unknown = await viaRouter('nope.probe-e2e.test', '/whoami');
    assert.equal(unknown.status, 404);
    assert.doesNotMatch(unknown.body, /probe/);
  });

  test('a WebSocket echo through the router', async () => {
    const key = randomBytes(16).toString('base64');
    const { res, socket, head } = await new Promise<{ res: http.IncomingMessage; socket: import('node:net').Socket; head: Buffer }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port: platform.routerPort, path: '/ws', agent: false,
        headers: { Host: appHost(APP), Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      });
      req.on('upgrade', (res, socket, head) => resolve({ res, socket, head }));
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    try {
      assert.equal(res.statusCode, 101);
      assert.equal(res.headers['sec-websocket-accept'], createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));
      assert.match(String(res.headers['x-dyno']), /^web\.[12]$/);
      assert.match(res.headers.via ?? '', /1\.1 slipway/);
      const frames = frameReader(socket, head);
      const hello = Buffer.from('hello through the router');
      socket.write(clientFrame(0x1, hello));
      assert.deepEqual(await frames.next(), { opcode: 0x1, payload: hello });
      const big = randomBytes(200_000);
      socket.write(clientFrame(0x2, big));
      const echoed = await frames.next();
      assert.equal(echoed.opcode, 0x2);
      assert.ok(echoed.payload.equals(big), 'a 200 KB binary frame comes back intact');
      socket.write(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
      assert.equal((await frames.next()).opcode, 0x8);
    } finally {
      socket.destroy();
    }
  });

  test('100 MB streamed up and 100 MB streamed down through the router without buffering it in memory', async (t) => {
    const pid = await routerPid();
    const peakBefore = await peakRss(pid);

    const uploaded = await new Promise<Reply>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: platform.routerPort, path: '/upload', method: 'POST', agent: false, headers: { Host: appHost(APP), 'Content-Type': 'application/octet-stream' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      zeros(100 * MB).pipe(req); // chunked: the router cannot know the size up front
    });
    assert.equal(uploaded.status, 200, uploaded.body);
    assert.equal((JSON.parse(uploaded.body) as { bytes: number }).bytes, 100 * MB);
    const peakUpload = await peakRss(pid);

    const downloaded = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: platform.routerPort, path: '/download?mb=100', agent: false, headers: { Host: appHost(APP) } }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(downloaded.status, 200);
    assert.equal(downloaded.bytes, 100 * MB);

    const peakAfter = await peakRss(pid);
    const grew = peakAfter - peakBefore;
    t.diagnostic(`router ${pid} VmHWM ${(peakBefore / MB).toFixed(1)} MB before, ${(peakUpload / MB).toFixed(1)} MB after the upload, ${(peakAfter / MB).toFixed(1)} MB after the download`);
    // Buffering either body would raise the peak by at least 100 MB; streaming only adds garbage
    // the collector has not reclaimed yet and socket buffers.
    assert.ok(grew < 50 * MB, `router VmHWM grew by ${(grew / MB).toFixed(1)} MB (from ${(peakBefore / MB).toFixed(1)} to ${(peakAfter / MB).toFixed(1)} MB)`);

    const lines = await waitFor('the router lines of both transfers', async () => {
      const all = (await logLines(APP, { source: 'heroku', dyno: 'router' })).filter((l) => /path="\/(upload|download\?mb=100)"/.test(l));
      return all.length >= 2 ? all : undefined;
    }, 30_000);
    assert.ok(lines.some((l) => l.includes('path="/download?mb=100"') && field(l, 'bytes') === String(100 * MB)), lines.join('\n'));
  });

  test('H80: `heroku maintenance:on` serves the maintenance page; off routes again', async () => {
    await heroku('maintenance:on', '-a', APP);
    let id = '';
    const r = await waitFor('the maintenance page', async () => {
      id = requestId('maint');
      const res = await viaRouter(appHost(APP), '/whoami', { headers: { 'X-Request-Id': id } });
      return res.status === 503 ? res : undefined;
    }, 10_000);
    assert.match(r.body, /Offline for Maintenance/);
    assert.match(r.body, /H80/);
    assert.ok(r.body.includes(id));
    const line = await routerLine(APP, id);
    assert.match(line, /^heroku\[router\]: at=info code=H80 desc="Maintenance mode" /);
    assert.equal(field(line, 'dyno'), '');
    assert.equal(field(line, 'status'), '503');

    await heroku('maintenance:off', '-a', APP);
    await waitFor('routing after maintenance:off', async () => ((await viaRouter(appHost(APP), '/whoami')).status === 200 ? true : undefined), 10_000);
  });

  test('H10 after a crash loop (every web dyno crashed), then H14 with web=0', async () => {
    await heroku('apps:create', CRASHER);
    await heroku('config:set', 'CRASH_ON_BOOT=1', '-a', CRASHER);
    await push(CRASHER);
    await heroku('ps:scale', 'web=2', '-a', CRASHER);
    await waitFor('every web dyno of the crasher crashed', async () => {
      const web = await webDynos(CRASHER);
      return web.length === 2 && web.every((d) => d.state === 'crashed') ? true : undefined;
    }, 90_000);
    let id = '';
    const r = await waitFor('H10', async () => {
      id = requestId('h10');
      const res = await viaRouter(appHost(CRASHER), '/', { headers: { 'X-Request-Id': id } });
      return res.status === 503 && res.body.includes('H10') ? res : undefined;
    }, 10_000);
    assert.match(r.body, /Application error/);
    assert.ok(r.body.includes(id));
    const h10 = await routerLine(CRASHER, id);
    assert.match(h10, /^heroku\[router\]: at=error code=H10 desc="App crashed" method=GET path="\/" /);
    assert.equal(field(h10, 'dyno'), '');
    const platformLines = await logLines(CRASHER, { source: 'heroku' });
    assert.ok(platformLines.some((l) => /^heroku\[web\.\d\]: State changed from starting to crashed/.test(l)), platformLines.join('\n'));

    await heroku('ps:scale', 'web=0', '-a', CRASHER);
    let id14 = '';
    const none = await waitFor('H14', async () => {
      id14 = requestId('h14');
      const res = await viaRouter(appHost(CRASHER), '/', { headers: { 'X-Request-Id': id14 } });
      return res.status === 503 && res.body.includes('H14') ? res : undefined;
    }, 30_000);
    assert.ok(none.body.includes(id14));
    const h14 = await routerLine(CRASHER, id14);
    assert.match(h14, /^heroku\[router\]: at=error code=H14 desc="No web dynos running" method=GET path="\/" /);
    assert.equal(field(h14, 'dyno'), '');
  });
});

describe('the API process restarted while a client keeps sending requests through the router', () => {
  test('SIGTERM and start again on the same data dir: routed traffic comes back on both dynos', async (t) => {
    const routerBefore = await routerPid();
    const client = keepRequesting();
    try {
      await waitFor('traffic before the restart', async () => (client.outcomes.filter((o) => o === 'ok').length >= 10 ? true : undefined), 30_000);
      await platform.stop({ keepData: true, signal: 'SIGTERM' });
      platform = await startPlatform({ dataDir: platform.dataDir, env: platform.env });
      await waitWebUp(APP, 2);
      const mark = client.outcomes.length;
      await waitFor('20 requests after the restart', async () => (client.outcomes.length >= mark + 20 ? true : undefined), 30_000);
      assert.deepEqual(client.outcomes.slice(mark).filter((o) => o !== 'ok'), [], 'once the dynos are back every request is served');
    } finally {
      await client.stop();
    }
    const failed = client.outcomes.filter((o) => o !== 'ok');
    // While the router is replaced connections are refused; a new router never answers before it
    // has its table (no "no such app" 404 for a live app).
    // SIGTERM stops the control plane only: the same router process keeps accepting connections
    // (error pages while the process driver's dynos are replaced, never a refused connection).
    assert.equal(await routerPid(), routerBefore, 'the router process outlives a SIGTERM restart');
    assert.deepEqual(client.outcomes.filter((o) => o.startsWith('conn')), [], 'the router kept accepting connections');
    for (const o of client.outcomes) assert.match(o, /^(ok|page 503 H(10|14|21|20|12|13|19))$/);
    t.diagnostic(`SIGTERM restart: ${client.outcomes.length} requests, ${failed.length} failed (${tally(client.outcomes)}); router pid ${routerBefore} → ${await routerPid()}`);
    await t.test('no routed request failed across the restart (docs/router.md)', {
      todo: 'SIGTERM now detaches the router (it keeps routing), but this test runs the process driver, whose dynos die with the manager; zero failures need dynos that survive (runc: see test/e2e/runc*.test.ts)',
    }, () => {
      assert.deepEqual(failed, []);
    });
  });

  test('SIGKILL and start again: the running router is adopted, never refuses a connection, and follows the new API (new internal token)', async (t) => {
    const routerBefore = await routerPid();
    const client = keepRequesting();
    try {
      await waitFor('traffic before the kill', async () => (client.outcomes.filter((o) => o === 'ok').length >= 10 ? true : undefined), 30_000);
      process.kill(await platformPid(), 'SIGKILL');
      await platform.stop({ keepData: true });
      const afterKill = client.outcomes.length;
      await waitFor('requests while the API is away', async () => (client.outcomes.length >= afterKill + 10 ? true : undefined), 30_000);
      platform = await startPlatform({ dataDir: platform.dataDir, env: platform.env });
      await waitFor('the router to be adopted', async () => (/router\.process_adopted/.test(platform.output()) ? true : undefined), 30_000);
      assert.equal(await routerPid(), routerBefore, 'the same router process');
      await waitWebUp(APP, 2);
      const mark = client.outcomes.length;
      await waitFor('20 requests after the restart', async () => (client.outcomes.length >= mark + 20 ? true : undefined), 30_000);
      assert.deepEqual(client.outcomes.slice(mark).filter((o) => o !== 'ok'), [], 'once the new dynos are routed every request is served');
    } finally {
      await client.stop();
    }
    t.diagnostic(`SIGKILL restart: ${client.outcomes.length} requests (${tally(client.outcomes)}); router pid ${routerBefore} kept`);
    const connectionFailures = client.outcomes.filter((o) => o.startsWith('conn'));
    assert.deepEqual(connectionFailures, [], 'the router kept accepting and answering throughout');
    // The process driver replaces the orphaned dynos, so some requests may get an error page
    // (H21 on the old table, H20/H12 while the new dynos boot) — never a dropped connection.
    for (const o of client.outcomes) assert.match(o, /^(ok|page 503 H(21|20|12|13|19))$/);

    // The adopted router's lines reach the new API process (it learnt the new internal token).
    const id = requestId('adopted');
    assert.equal((await viaRouter(appHost(APP), '/whoami', { headers: { 'X-Request-Id': id } })).status, 200);
    assert.match(await routerLine(APP, id), /at=info method=GET path="\/whoami" .* status=200 /);
  });
});

/** A readable of `size` zero bytes in 64 KB chunks (no more than one chunk in memory at a time). */
function zeros(size: number): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

/** A masked client → server WebSocket frame (RFC 6455 §5.2). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len])
    : len < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
    : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
  const body = Buffer.from(payload);
  for (let i = 0; i < len; i += 1) body[i] ^= mask[i % 4];
  return Buffer.concat([head, mask, body]);
}

/** Reads unmasked server frames from a socket, one at a time. */
function frameReader(socket: import('node:net').Socket, head: Buffer): { next(): Promise<{ opcode: number; payload: Buffer }> } {
  let buf = Buffer.from(head);
  let wake: (() => void) | undefined;
  let ended = false;
  socket.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    wake?.();
  });
  socket.on('close', () => {
    ended = true;
    wake?.();
  });
  const parse = (): { opcode: number; payload: Buffer } | undefined => {
    if (buf.length < 2) return undefined;
    let len = buf[1] & 0x7f;
    let off = 2;
    if (len === 126) {
      if (buf.length < 4) return undefined;
      len = buf.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (buf.length < 10) return undefined;
      len = Number(buf.readBigUInt64BE(2));
      off = 10;
    }
    if (buf.length < off + len) return undefined;
    const frame = { opcode: buf[0] & 0x0f, payload: Buffer.from(buf.subarray(off, off + len)) };
    buf = buf.subarray(off + len);
    return frame;
  };
  return {
    async next() {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const f = parse();
        if (f) return f;
        if (ended) throw new Error('the WebSocket closed before a whole frame arrived');
        if (Date.now() > deadline) throw new Error('no whole WebSocket frame within 30 s');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    },
  };
}
