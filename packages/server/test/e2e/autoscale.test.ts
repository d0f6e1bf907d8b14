/**
 * Autoscaling against the real platform (real router process, real dynos, git push): the official
 * CLI's ps:autoscale round-trip, and scale to zero with wake on request — concurrent requests to an
 * app with no dyno are held by the router while one starts, and all are served.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';

const APP = 'sleeper';
const METRICS_HOST = ['api.metrics.heroku.com'];
/** The quiet window before each step down (Heroku's is minutes; 10 s keeps the three steps from 5 to 1 within half a minute). */
const DOWN_WINDOW_MS = 10_000;

let platform: RunningPlatform;
let cli: HerokuCli;
let co: Checkout;

interface Reply { status: number; body: string; ms: number }

function viaRouter(p: string): Promise<Reply> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: platform.routerPort, path: p, headers: { Host: `${APP}.localhost:${platform.routerPort}` }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function heroku(args: string[], opts: { hosts?: string[] } = {}): Promise<string> {
  const r = await cli.run(args, opts);
  assert.equal(r.code, 0, `heroku ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}

async function webStates(): Promise<string[]> {
  const r = await api<{ type: string; state: string }[]>(platform.url, platform.token, 'GET', `/apps/${APP}/dynos`);
  return r.body.filter((d) => d.type === 'web').map((d) => d.state);
}

/**
 * An open-loop load: `rps` requests a second to `path` for `ms`, each on its own connection; the
 * statuses in the order sent.
 */
async function load(rps: number, ms: number, p: string): Promise<number[]> {
  const replies: Promise<number>[] = [];
  const t0 = Date.now();
  for (let i = 0; Date.now() - t0 < ms; i += 1) {
    const due = t0 + (i * 1000) / rps;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    replies.push(viaRouter(p).then((r) => r.status, () => 0));
  }
  return Promise.all(replies);
}

async function webQuantity(): Promise<number> {
  const r = await api<{ type: string; quantity: number }[]>(platform.url, platform.token, 'GET', `/apps/${APP}/formation`);
  return r.body.find((f) => f.type === 'web')?.quantity ?? 0;
}

before(async () => {
  platform = await startPlatform({
    env: {
      SLIPWAY_BUILD_ISOLATION: 'none',
      // Short windows so the test takes a minute, not ten: the router ships every 2 s, the
      // autoscaler decides every second and removes dynos after DOWN_WINDOW_MS quiet.
      SLIPWAY_METRICS_INTERVAL_MS: '2000', SLIPWAY_AUTOSCALE_INTERVAL_MS: '1000', SLIPWAY_AUTOSCALE_DOWN_WINDOW_MS: String(DOWN_WINDOW_MS),
    },
  });
  cli = await herokuCli(platform);
  co = await checkout('router-probe');
  await heroku(['apps:create', APP]);
  const pushed = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
  assert.equal(pushed.code, 0, pushed.output);
  await heroku(['ps:scale', 'web=1:performance-m', '-a', APP]);
  await waitFor('web.1 up', async () => ((await webStates()).includes('up') ? true : undefined), 90_000);
});

after(async () => {
  await co?.close();
  await cli?.close();
  await platform?.stop();
});

describe('autoscaling with the real platform', { timeout: 300_000 }, () => {
  test('the official CLI enables and disables autoscaling; manual scaling outside the bounds is refused', async () => {
    assert.match(await heroku(['ps:autoscale:enable', '--min', '1', '--max', '3', '--p95', '500', '-a', APP], { hosts: METRICS_HOST }), /Enabling dyno autoscaling\.\.\. done/);
    const refused = await cli.run(['ps:scale', 'web=5', '-a', APP]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Autoscaling is on for web \(min 1, max 3\)/);
    assert.match(await heroku(['ps:autoscale:disable', '-a', APP], { hosts: METRICS_HOST }), /Disabling dyno autoscaling\.\.\. done/);
    const logs = await heroku(['logs', '-n', '50', '-a', APP]);
    assert.match(logs, /app\[api\]: Enable autoscaling web: min 1, max 3, p95 500 ms by user/);
    assert.match(logs, /app\[api\]: Disable autoscaling web by user/);
  });

  test('under a load step the formation grows at once to what the load needs, then shrinks back after the quiet window', async () => {
    // One request at a time per dyno, 100 ms each: a dyno serves 10 requests a second.
    await heroku(['config:set', 'SLIPWAY_DYNO_CONCURRENCY=1', '-a', APP]);
    await heroku(['ps:scale', 'web=1', '-a', APP]);
    await waitFor('one web dyno up', async () => ((await webStates()).filter((s) => s === 'up').length === 1 ? true : undefined), 90_000);
    await heroku(['ps:autoscale:enable', '--min', '1', '--max', '5', '--p95', '400', '-a', APP], { hosts: METRICS_HOST });
    await load(5, 6_000, '/slow?ms=100');
    assert.equal(await webQuantity(), 1, 'half a dyno of load: nothing to do');

    // 30 requests a second of 100 ms: 3 dynos busy; at 75 % that is 4.
    const t0 = Date.now();
    const step = load(30, 25_000, '/slow?ms=100');
    const grown = await waitFor('the formation to grow', async () => ((await webQuantity()) >= 3 ? Date.now() - t0 : undefined), 25_000);
    const statuses = await step;
    const peak = await webQuantity();
    assert.ok(peak >= 4 && peak <= 5, `sized for the load: web=${peak}`);
    assert.ok(statuses.every((st) => st === 200), `every request of the step answered: ${statuses.filter((st) => st !== 200).length} were not`);
    const logs = await heroku(['logs', '-n', '300', '-a', APP]);
    const scaled = logs.split('\n').filter((l) => / by autoscaler \(/.test(l));
    assert.ok(scaled.some((l) => /Scaled to web@[45]:Performance-M by autoscaler \((queue )?p95 \d+ ms > \d+ ms\)/.test(l)), scaled.join('\n'));
    assert.ok(scaled.length <= 2, `one step up (at most one more): ${scaled.join('\n')}`);

    // Quiet: back to the minimum after the down window (at most half per step).
    const quiet = Date.now();
    await waitFor('the formation to shrink back to 1', async () => ((await webQuantity()) === 1 ? true : undefined), 90_000);
    const shrunk = Date.now() - quiet;
    assert.ok(shrunk >= DOWN_WINDOW_MS, `not before the down window: ${shrunk} ms`);
    process.stdout.write(`# load step: grew to ${peak} in ${grown} ms, back to 1 in ${shrunk} ms\n# ${scaled.join('\n# ')}\n`);
    await heroku(['ps:autoscale:disable', '-a', APP], { hosts: METRICS_HOST });
    await heroku(['config:unset', 'SLIPWAY_DYNO_CONCURRENCY', '-a', APP]);
  });

  test('scaled to zero, the next requests wake the app: all are answered, none is an error', async () => {
    const monitors = await api<{ id: string }[]>(platform.url, platform.token, 'GET', `/apps/${APP}/formation/web/monitors`);
    const set = await api(platform.url, platform.token, 'PATCH', `/apps/${APP}/formation/web/monitors/${monitors.body[0].id}`, { is_active: true, min_quantity: 0, max_quantity: 3, idle_ms: 60_000 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    await heroku(['ps:scale', 'web=0', '-a', APP]);
    await waitFor('no web dyno left', async () => ((await webStates()).length === 0 ? true : undefined), 60_000);

    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => viaRouter(`/slow?ms=${50 + i}`)));
    for (const r of replies) assert.equal(r.status, 200, `${r.body}\n${platform.output().slice(-3000)}`);
    assert.ok(replies.every((r) => r.body.length > 0));
    assert.deepEqual(await webStates(), ['up']);

    const logs = await heroku(['logs', '-n', '200', '-a', APP]);
    assert.match(logs, /app\[api\]: Scaled to web@1:Performance-M by autoscaler \(request while scaled to zero\)/);
    assert.equal(logs.match(/by autoscaler \(request while scaled to zero\)/g)?.length, 1, 'woken once for eight requests');
    await waitFor('router lines of the woken requests', async () => {
      const lines = (await heroku(['logs', '-n', '200', '--source', 'heroku', '--dyno', 'router', '-a', APP])).split('\n').filter((l) => l.includes('path="/slow'));
      return lines.length >= 8 ? lines : undefined;
    }, 30_000).then((lines) => {
      const queued = lines.map((l) => Number(/queue=(\d+)ms/.exec(l)?.[1] ?? NaN));
      assert.ok(queued.every((q) => q > 0), `each woken request logs the time it waited for the dyno: ${queued.join(', ')}`);
      assert.ok(lines.every((l) => /status=200/.test(l)), lines.join('\n'));
    });
  });
});
