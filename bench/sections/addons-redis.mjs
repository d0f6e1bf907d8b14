// 10. Add-ons: heroku-redis. Time from `addons:create heroku-redis:mini` (POST /apps/{app}/addons)
// to a REDIS_URL that answers PING with its password, beside a bare `redis-server` start (spawn →
// first PING answered) of the same Debian binary on the same machine; each round's add-on is
// destroyed before the next. Goal: at most 5× the bare start (provisioning is that same server start
// plus a port pair, the TLS files, the add-on rows and a release on the app).
import { spawnSync } from 'node:child_process';
import { createClient } from 'redis';
import { freePort, sleep } from '../lib/proc.mjs';
import { notMeasured, ratio } from '../lib/ratio.mjs';
import { round, summarize } from '../lib/stats.mjs';

const APP = 'bench-redis';

async function pingUntil(url, since, timeoutMs = 30_000) {
  while (performance.now() - since < timeoutMs) {
    const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return performance.now() - since;
    } catch {
      // not yet
    } finally {
      if (client.isOpen) client.destroy();
    }
    await sleep(5);
  }
  throw new Error(`${url.replace(/:[^:@/]+@/, ':***@')} did not answer PING in ${timeoutMs} ms`);
}

export async function addonsRedis({ quick, scope, platform, log }) {
  if (spawnSync('redis-server', ['--version']).status !== 0) return notMeasured('redis-server is not installed (Debian package redis-server)');
  const rounds = quick ? 1 : 5;
  const created = await platform.api('POST', '/apps', { name: APP });
  if (created.status !== 201) throw new Error(`creating ${APP}: ${created.status} ${JSON.stringify(created.body)}`);
  const ours = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const r = await platform.api('POST', `/apps/${APP}/addons`, { plan: { name: 'heroku-redis:mini' }, attachment: {}, config: {} });
    if (r.status !== 201 && r.status !== 200) throw new Error(`addons:create: ${r.status} ${JSON.stringify(r.body)}`);
    const vars = (await platform.api('GET', `/apps/${APP}/config-vars`)).body;
    ours.push(await pingUntil(vars.REDIS_URL, t0));
    const d = await platform.api('DELETE', `/apps/${r.body.app.id}/addons/${r.body.id}`, { force: true });
    if (d.status !== 200) throw new Error(`addons:destroy: ${d.status} ${JSON.stringify(d.body)}`);
    log(`  round ${i + 1}: addons:create → usable REDIS_URL ${round(ours.at(-1), 1)} ms`);
  }
  const bare = [];
  for (let i = 0; i < rounds; i++) {
    const port = await freePort();
    const dir = await scope.tmpdir('redis');
    const t0 = performance.now();
    const child = scope.spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--requirepass', 'benchpass']);
    bare.push(await pingUntil(`redis://:benchpass@127.0.0.1:${port}`, t0));
    await child.stop();
  }
  const o = summarize(ours);
  const b = summarize(bare);
  return {
    measured: true,
    rounds,
    ours: { p50: round(o.p50, 1), max: round(o.max, 1), all: ours.map((x) => round(x, 1)) },
    bare: { p50: round(b.p50, 1), max: round(b.max, 1), all: bare.map((x) => round(x, 1)) },
    ratios: [ratio('addons:create heroku-redis:mini → usable REDIS_URL, p50 / bare redis-server start', o.p50, b.p50, '<=', 5, 'bare redis-server')],
  };
}
