/**
 * The dyno routes through the real API stack (auth, route table, SQLite store) and the official
 * `heroku` CLI: `ps`, `run:detached`, `ps:restart`, `ps:stop`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createApi, type Api } from '../api/index.js';
import { dynoRoutes } from '../api/routes/dynos.js';
import { createAppService } from '../apps/index.js';
import { createAuth } from '../auth/index.js';
import { silentLogger } from '../log/index.js';
import { herokuCli, type HerokuCli } from '../../test/helpers/heroku-cli.js';
import { makeKit, type Kit } from './manager.fixture.js';
import type { DynoManager } from './manager.js';

describe('dyno routes', { timeout: 180_000 }, () => {
  let kit: Kit;
  let manager: DynoManager;
  let api: Api;
  let base: string;
  let token: string;
  let cli: HerokuCli;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.heroku+json; version=3', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & Record<string, unknown>[] };
  };
  const allUp = (n: number) => async () => {
    const ds = await kit.store.dynos.list(kit.app.id);
    return ds.filter((d) => d.type !== 'run' && d.state === 'up').length === n;
  };

  before(async () => {
    kit = await makeKit();
    manager = kit.manager();
    await manager.start();
    await kit.release();
    await kit.scale('web', 2);
    await kit.scale('worker', 1, 'echo working; while :; do sleep 0.05; done');
    await kit.waitFor('three dynos up', allUp(3));
    const apps = createAppService({ store: kit.store, events: kit.events, logs: kit.logs, config: kit.config });
    const auth = createAuth({ store: kit.store });
    token = await auth.issueToken(kit.user.id, 'dyno routes test');
    api = createApi({
      config: kit.config, store: kit.store, events: kit.events, logs: kit.logs, apps, logger: silentLogger, auth,
      extraRoutes: dynoRoutes({ apps, manager, store: kit.store }),
    });
    const server = await api.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cli = await herokuCli({ url: base, token });
  });

  after(async () => {
    await cli?.close();
    await api?.close();
    await kit?.close();
  });

  it('lists dynos in Heroku shape, sizes displayed like Standard-1X', async () => {
    const { status, body } = await call('GET', '/apps/dyno-app/dynos');
    assert.equal(status, 200);
    assert.deepEqual(body.map((d) => d.name), ['web.1', 'web.2', 'worker.1']);
    const web1 = body[0];
    assert.equal(web1.size, 'Standard-1X');
    assert.equal(web1.state, 'up');
    assert.equal(web1.type, 'web');
    assert.deepEqual(web1.release, { id: (await kit.store.releases.current(kit.app.id))!.id, version: 1 });
    assert.deepEqual(web1.app, { id: kit.app.id, name: 'dyno-app' });
    assert.equal(typeof web1.updated_at, 'string');
    const one = await call('GET', '/apps/dyno-app/dynos/worker.1');
    assert.equal(one.body.command, 'echo working; while :; do sleep 0.05; done');
    assert.equal((await call('GET', '/apps/dyno-app/dynos/web.9')).status, 404);
    assert.equal((await call('GET', '/apps/nope-app/dynos')).status, 404);
  });

  it('heroku ps shows the formation the way Heroku does', async () => {
    const r = await cli.run(['ps', '-a', 'dyno-app']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /=== web \(Standard-1X\): exec .*web\.js \(2\)/);
    assert.match(r.stdout, /web\.1: up \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \+0000 \(~ \d+[sm] ago\)/);
    assert.match(r.stdout, /=== worker \(Standard-1X\): echo working; while :; do sleep 0\.05; done \(1\)/);
  });

  it('runs a detached one-off dyno (POST /dynos and heroku run:detached)', async () => {
    const bad = await call('POST', '/apps/dyno-app/dynos', { attach: false });
    assert.equal(bad.status, 422);
    const tooBig = await call('POST', '/apps/dyno-app/dynos', { command: 'true', size: 'gigantic' });
    assert.equal(tooBig.status, 422);
    const attached = await call('POST', '/apps/dyno-app/dynos', { command: 'bash', attach: true });
    assert.equal(attached.status, 422);
    const { status, body } = await call('POST', '/apps/dyno-app/dynos', { command: 'echo "hi $A"', attach: false, env: { A: 1, TERM: 'xterm' }, time_to_live: 60 });
    assert.equal(status, 201);
    assert.match(String(body.name), /^run\.\d+$/);
    assert.equal(body.state, 'starting');
    assert.equal(body.type, 'run');
    await kit.waitFor('one-off output', () => kit.lines.some((l) => l.dyno === body.name && l.message === 'hi 1'));

    const r = await cli.run(['run:detached', '-a', 'dyno-app', '--', 'echo', 'from-cli']);
    assert.equal(r.code, 0, r.stderr);
    const name = /done, (run\.\d+)/.exec(r.stdout + r.stderr)?.[1];
    assert.ok(name, r.stdout + r.stderr);
    await kit.waitFor('cli one-off output', () => kit.lines.some((l) => l.dyno === name && l.message === 'from-cli'));
  });

  it('restarts all, one dyno, or a type (202 {}), and ps:stop restarts formation dynos', async () => {
    const pid = async (name: string) => ((await kit.store.dynos.get(kit.app.id, name))?.driverRef as { pid?: number } | null)?.pid;
    const changed = async (name: string, before: number | undefined) => {
      await kit.waitFor(`${name} restarted`, async () => {
        const d = await kit.store.dynos.get(kit.app.id, name);
        return d?.state === 'up' && (await pid(name)) !== undefined && (await pid(name)) !== before;
      });
    };
    let before = await pid('web.1');
    let r = await call('DELETE', '/apps/dyno-app/dynos/web.1');
    assert.deepEqual([r.status, r.body], [202, {}]);
    await changed('web.1', before);

    before = await pid('worker.1');
    r = await call('DELETE', '/apps/dyno-app/formations/worker');
    assert.deepEqual([r.status, r.body], [202, {}]);
    await changed('worker.1', before);
    assert.equal((await call('DELETE', '/apps/dyno-app/formations/nope')).status, 404);

    before = await pid('worker.1');
    const stop = await cli.run(['ps:stop', '-a', 'dyno-app', 'worker.1']);
    assert.equal(stop.code, 0, stop.stderr);
    await changed('worker.1', before);

    const befores = await Promise.all(['web.1', 'web.2', 'worker.1'].map(pid));
    const all = await cli.run(['ps:restart', '-a', 'dyno-app']);
    assert.equal(all.code, 0, all.stderr);
    await Promise.all(['web.1', 'web.2', 'worker.1'].map((n, i) => changed(n, befores[i])));

    r = await call('POST', '/apps/dyno-app/formations/worker/actions/stop');
    assert.deepEqual([r.status, r.body], [202, {}]);
  });
});
