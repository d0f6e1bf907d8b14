/**
 * `heroku-redis` against real `redis-server` processes (Debian's redis 7): the provider contract
 * suite, then what is Redis's own: the plan's maxmemory and clients, TLS on port + 1, data kept
 * across a SIGKILL of the server (AOF) and a platform stop/start, a dead server restarted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ensureCertificate } from '../../api/tls/index.js';
import { silentLogger } from '../../log/index.js';
import { runProviderContract } from '../provider.case.js';
import { redisAnswers, withRedis } from './redis-client.js';
import { createRedisProvider, redisDirs, type RedisProvider } from './redis-provider.js';
import { REDIS_SERVICE } from './plans.js';
import type { AddonHandle } from '../provider.js';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
const skip = hasRedis ? undefined : 'redis-server is not installed (apt-get install redis-server)';

/** Debian's `redis` user when the tests run as root, as the platform does. */
function redisUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const r = spawnSync('id', ['-u', 'redis'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'redis'], { encoding: 'utf8' });
  return r.status === 0 ? { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) } : undefined;
}

async function makeProvider(dir: string, step?: (s: string) => void): Promise<RedisProvider> {
  const tls = await ensureCertificate({ dataDir: dir, domain: 'localhost', logger: silentLogger });
  assert.ok(tls, 'openssl made a certificate');
  return createRedisProvider({ root: path.join(dir, 'heroku-redis'), host: '127.0.0.1', tls, runAs: redisUser(), logger: silentLogger, step, checkMs: 200 });
}

const target = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), password: u.password, tls: u.protocol === 'rediss:' };
};

runProviderContract('heroku-redis', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-redis-'));
  let failing: string | undefined;
  const provider = await makeProvider(dir, (s) => {
    if (s === failing) throw new Error(`injected failure at ${s}`);
  });
  return {
    provider,
    canConnect: async (config) => (await redisAnswers(target(config.URL))) && (await redisAnswers(target(config.TLS_URL))),
    roundTrip: async (config, value) => withRedis(target(config.URL), async (c) => {
      await c.set('marker', value);
      return (await c.get('marker')) ?? undefined;
    }),
    leftovers: () => redisDirs(path.join(dir, 'heroku-redis')),
    steps: ['ports', 'dir', 'server', 'ready'],
    failAt: (s) => {
      failing = s;
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}, { skip, plans: ['mini', 'premium-0'] });

describe('heroku-redis servers', { skip, timeout: 60_000 }, () => {
  let dir: string;
  let provider: RedisProvider;
  const made: AddonHandle[] = [];
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slipway-redis-'));
    provider = await makeProvider(dir);
    await provider.start([]);
  });
  after(async () => {
    for (const h of made) await provider.deprovision(h);
    await provider.stop('all');
    await rm(dir, { recursive: true, force: true });
  });
  const provision = async (planName: string) => {
    const plan = REDIS_SERVICE.plans.find((p) => p.name === planName)!;
    const id = randomUUID();
    const name = `redis-test-${made.length}-${process.pid}`;
    const r = await provider.provision({ id, name, plan, app: { id: randomUUID(), name: 'app' }, options: {} });
    const handle = { id, name, plan, state: r.state };
    made.push(handle);
    return { handle, config: r.config };
  };

  it('sets the plan\'s maxmemory (noeviction) and clients, and refuses writes beyond it', async () => {
    const { handle, config } = await provision('mini');
    const port = Number(new URL(config.URL).port);
    assert.deepEqual(provider.hostPorts(handle), [port, port + 1], 'the plain and TLS ports, for a firewalled runtime');
    await withRedis(target(config.URL), async (c) => {
      assert.deepEqual({ ...await c.configGet('maxmemory') }, { maxmemory: String(25 * 1024 * 1024) });
      assert.deepEqual({ ...await c.configGet('maxmemory-policy') }, { 'maxmemory-policy': 'noeviction' });
      assert.deepEqual({ ...await c.configGet('maxclients') }, { maxclients: '20' });
      await assert.rejects(c.configSet('dir', '/tmp'), /protected config/i);
      const big = 'x'.repeat(1024 * 1024);
      await assert.rejects(async () => {
        for (let i = 0; i < 40; i++) await c.set(`big${i}`, big);
      }, /OOM/);
    });
    assert.match(config.URL, /^redis:\/\/:[0-9a-f]{48}@127\.0\.0\.1:\d+$/);
    assert.equal(Number(new URL(config.TLS_URL).port), Number(new URL(config.URL).port) + 1);
    assert.equal(await redisAnswers({ ...target(config.URL), password: 'wrong' }), false);
  });

  it('refuses one add-on\'s password on another add-on\'s server (what a third app holds)', async () => {
    const a = await provision('mini');
    const b = await provision('mini');
    const aTarget = target(a.config.URL);
    assert.equal(await redisAnswers({ ...aTarget, password: target(b.config.URL).password }), false);
    assert.equal(await redisAnswers({ ...target(a.config.TLS_URL), password: target(b.config.URL).password }), false);
    assert.equal(await redisAnswers(aTarget), true);
  });

  it('keeps data across a SIGKILL of the server (restarted by the checks) and a platform stop/start', async () => {
    const { handle, config } = await provision('premium-0');
    await withRedis(target(config.URL), (c) => c.set('kept', 'yes'));
    await new Promise((r) => setTimeout(r, 1_200)); // appendfsync everysec
    const pid = provider.servers.pid(handle.name)!;
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !(provider.servers.pid(handle.name) !== pid && (await redisAnswers(target(config.URL))))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.notEqual(provider.servers.pid(handle.name), pid, 'restarted');
    assert.equal(await withRedis(target(config.URL), (c) => c.get('kept')), 'yes');
    const before = provider.servers.pid(handle.name);
    await provider.stop('control-plane');
    assert.equal(await redisAnswers(target(config.URL)), true, 'serves while the platform is down');
    await provider.start([handle]);
    assert.equal(provider.servers.pid(handle.name), before, 're-adopted, not restarted');
    assert.equal(await withRedis(target(config.TLS_URL), (c) => c.get('kept')), 'yes');
    assert.ok(existsSync(path.join(dir, 'heroku-redis', handle.name, 'appendonly')), 'AOF under the add-on dir');
  });
});
