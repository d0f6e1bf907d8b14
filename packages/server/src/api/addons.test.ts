/**
 * The add-ons API over HTTP with the real store and the in-memory provider: Heroku's shapes,
 * releases on attach/detach/destroy, confirmation_required, bad input, access, and a provider that
 * fails part-way leaving nothing behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAddonService, createMemoryProvider, createProviderRegistry, type AddonService } from '../addons/index.js';
import { silentLogger } from '../log/index.js';
import { startTestApi, type TestApi } from '../../test/helpers/api-server.js';
import { addonRoutes } from './routes/addons.js';

async function startAddonApi(failAt?: { step?: string }) {
  const provider = createMemoryProvider({ step: (s) => {
    if (failAt?.step === s) throw new Error(`injected failure at ${s}`);
  } });
  const registry = createProviderRegistry([provider]);
  let addons: AddonService | undefined;
  const api = await startTestApi({
    extraRoutes: ({ store, apps, events }) => {
      addons = createAddonService({ store, apps, registry, events, logger: silentLogger });
      return addonRoutes({ apps, addons, registry, store, webUrl: (a) => `http://dashboard.test/addons/${a.id}` });
    },
  });
  await addons!.start();
  return { api, provider, addons: addons! };
}

async function releases(api: TestApi, app: string): Promise<{ version: number; description: string }[]> {
  return (await api.request('GET', `/apps/${app}/releases`)).body;
}

test('addons:create → the URL var and a release; list, info, resolve; plans and services', async (t) => {
  const { api, provider, addons } = await startAddonApi();
  t.after(async () => {
    await addons.stop('all');
    await api.close();
  });
  await api.request('POST', '/apps', { body: { name: 'owner-app' } });
  const created = await api.request('POST', '/apps/owner-app/addons', { body: { attachment: {}, config: {}, plan: { name: 'slipway-memory:mini' } } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const addon = created.body;
  assert.match(addon.name, /^memory-[a-z]+-\d{5}$/);
  assert.deepEqual([addon.state, addon.config_vars, addon.plan.name, addon.addon_service.name, addon.app.name, addon.billing_entity.name], ['provisioned', ['MEMORY_URL'], 'slipway-memory:mini', 'slipway-memory', 'owner-app', 'owner-app']);
  assert.deepEqual(addon.plan.price, { cents: 0, unit: 'month', contract: false, metered: false });
  const config = (await api.request('GET', '/apps/owner-app/config-vars')).body;
  assert.ok(provider.connect(config.MEMORY_URL), 'the URL opens the add-on');
  const [latest] = await releases(api, 'owner-app').then((r) => r.slice(-1));
  assert.equal(latest.description, `Attach MEMORY (@ref:${addon.name})`);

  // a second one with --as and --name
  const second = await api.request('POST', '/apps/owner-app/addons', { body: { attachment: { name: 'CACHE' }, config: {}, name: 'my-cache', plan: { name: 'slipway-memory:large' } } });
  assert.deepEqual([second.status, second.body.name, second.body.config_vars], [201, 'my-cache', ['CACHE_URL']]);
  const third = await api.request('POST', '/apps/owner-app/addons', { body: { plan: 'slipway-memory' } });
  assert.match(third.body.config_vars[0], /^SLIPWAY_MEMORY_[A-Z]+_URL$/);

  const list = await api.request('GET', '/apps/owner-app/addons');
  assert.deepEqual(list.body.map((a: { name: string }) => a.name), [addon.name, 'my-cache', third.body.name]);
  assert.equal((await api.request('GET', '/addons')).body.length, 3);
  assert.equal((await api.request('GET', `/apps/owner-app/addons/${addon.name}`)).body.id, addon.id);
  const byAttachment = await api.request('POST', '/actions/addons/resolve', { body: { addon: 'CACHE', app: 'owner-app' } });
  assert.deepEqual(byAttachment.body.map((a: { name: string }) => a.name), ['my-cache']);
  const byName = await api.request('POST', '/actions/addons/resolve', { body: { addon: 'my-cache' } });
  assert.equal(byName.body[0].id, second.body.id);
  const att = await api.request('POST', '/actions/addon-attachments/resolve', { body: { addon_attachment: 'CACHE_URL', app: 'owner-app' } });
  assert.deepEqual([att.status, att.body[0].name, att.body[0].addon.plan.name, att.body[0].app.name], [200, 'CACHE', 'slipway-memory:large', 'owner-app']);
  const missAtt = await api.request('POST', '/actions/addon-attachments/resolve', { body: { addon_attachment: 'NOPE', app: 'owner-app' } });
  assert.deepEqual([missAtt.status, missAtt.body.id], [404, 'not_found']);
  const miss = await api.request('POST', '/actions/addons/resolve', { body: { addon: 'nope', app: null } });
  assert.deepEqual([miss.status, miss.body.id, miss.body.message], [404, 'not_found', "Couldn't find that add on."]);
  assert.equal((await api.request('GET', '/apps/owner-app/addon-attachments')).body.length, 3);
  assert.equal((await api.request('GET', `/addons/${addon.id}/addon-attachments`)).body[0].name, 'MEMORY');

  const plans = await api.request('GET', '/addon-services/slipway-memory/plans');
  assert.deepEqual(plans.body.map((p: { name: string; default: boolean }) => [p.name, p.default]), [['slipway-memory:mini', true], ['slipway-memory:large', false]]);
  assert.deepEqual((await api.request('GET', '/addon-services')).body.map((s: { name: string; state: string }) => [s.name, s.state]), [['slipway-memory', 'ga']]);
  assert.equal((await api.request('GET', '/addon-services/nope/plans')).status, 404);
});

test('bad input: unknown service or plan, taken and malformed names, confirmation for a used attachment name', async (t) => {
  const { api, addons, provider } = await startAddonApi();
  t.after(async () => {
    await addons.stop('all');
    await api.close();
  });
  await api.request('POST', '/apps', { body: { name: 'bad-app' } });
  const cases: [unknown, number, string, RegExp][] = [
    [{ plan: { name: 'nope:mini' } }, 422, 'invalid_params', /add-on service or the add-on plan of "nope:mini"/],
    [{ plan: { name: 'slipway-memory:huge' } }, 422, 'invalid_params', /plan "huge" of slipway-memory\. Plans: mini, large/],
    [{ plan: { name: 'slipway-memory:mini' }, name: 'Bad_Name' }, 422, 'invalid_params', /lowercase letters/],
    [{ plan: { name: 'slipway-memory:mini' }, attachment: { name: 'bad-name' } }, 422, 'invalid_params', /uppercase letters/],
    [{ plan: 42 }, 422, 'invalid_params', /plan/],
  ];
  for (const [b, status, id, message] of cases) {
    const r = await api.request('POST', '/apps/bad-app/addons', { body: b });
    assert.deepEqual([r.status, r.body.id], [status, id], JSON.stringify(b));
    assert.match(r.body.message, message);
  }
  assert.equal((await api.request('POST', '/apps/bad-app/addons', { body: { plan: 'slipway-memory:mini', name: 'taken-db', attachment: { name: 'DB' } } })).status, 201);
  const taken = await api.request('POST', '/apps/bad-app/addons', { body: { plan: 'slipway-memory:mini', name: 'taken-db' } });
  assert.deepEqual([taken.status, taken.body.id, taken.body.message], [422, 'invalid_params', 'The add-on name taken-db is already taken.']);
  const before = await releases(api, 'bad-app');
  const needsConfirm = await api.request('POST', '/apps/bad-app/addons', { body: { plan: 'slipway-memory:mini', attachment: { name: 'DB' } } });
  assert.deepEqual([needsConfirm.status, needsConfirm.body.id, needsConfirm.body.message], [423, 'confirmation_required', 'The attachment name DB is already in use on bad-app.']);
  assert.equal((await releases(api, 'bad-app')).length, before.length, 'nothing released');
  assert.equal(provider.spaces().length, 1, 'nothing provisioned');
  const wrongConfirm = await api.request('POST', '/apps/bad-app/addons', { body: { plan: 'slipway-memory:mini', attachment: { name: 'DB' }, confirm: 'other' } });
  assert.equal(wrongConfirm.status, 423);
  const confirmed = await api.request('POST', '/apps/bad-app/addons', { body: { plan: 'slipway-memory:mini', attachment: { name: 'DB' }, confirm: 'bad-app' } });
  assert.equal(confirmed.status, 201);
  const attachments = (await api.request('GET', '/apps/bad-app/addon-attachments')).body;
  assert.deepEqual(attachments.map((a: { name: string; addon: { name: string } }) => [a.name, a.addon.name]), [['DB', confirmed.body.name]]);
  const config = (await api.request('GET', '/apps/bad-app/config-vars')).body;
  assert.ok(provider.connect(config.DB_URL)?.size === 0 && config.DB_URL.includes(confirmed.body.name), 'DB_URL now points at the new add-on');
});

test('attach --as to a second app, access across users, detach and destroy with releases; destroy needs force when attached elsewhere', async (t) => {
  const { api, addons, provider } = await startAddonApi();
  t.after(async () => {
    await addons.stop('all');
    await api.close();
  });
  const alice = await api.user('alice@example.com');
  const bob = await api.user('bob@example.com');
  for (const name of ['a-one', 'a-two']) await api.request('POST', '/apps', { token: alice, body: { name } });
  await api.request('POST', '/apps', { token: bob, body: { name: 'b-one' } });
  const db = (await api.request('POST', '/apps/a-one/addons', { token: alice, body: { plan: 'slipway-memory:mini', name: 'shared-db' } })).body;

  const attach = await api.request('POST', '/addon-attachments', { token: alice, body: { addon: { name: 'shared-db' }, app: { name: 'a-two' }, name: 'REPORTING' } });
  assert.deepEqual([attach.status, attach.body.name, attach.body.app.name, attach.body.addon.app.name], [201, 'REPORTING', 'a-two', 'a-one']);
  const two = (await api.request('GET', '/apps/a-two/config-vars', { token: alice })).body;
  assert.equal(two.REPORTING_URL, (await api.request('GET', '/apps/a-one/config-vars', { token: alice })).body.MEMORY_URL);
  assert.equal((await releases(api, 'a-two')).at(-1)?.description, 'Attach REPORTING (@ref:shared-db)');
  assert.deepEqual(provider.bound('shared-db').length, 2);
  const again = await api.request('POST', '/addon-attachments', { token: alice, body: { addon: { name: 'shared-db' }, app: { name: 'a-two' }, name: 'REPORTING' } });
  assert.deepEqual([again.status, again.body.id, again.body.message], [423, 'confirmation_required', 'The attachment name REPORTING is already in use on a-two.']);

  // bob can neither attach alice's add-on to his app nor alice's app's add-on to anything
  const steal = await api.request('POST', '/addon-attachments', { token: bob, body: { addon: { name: 'shared-db' }, app: { name: 'b-one' }, name: 'STOLEN' } });
  assert.deepEqual([steal.status, steal.body.id], [404, 'not_found']);
  const push = await api.request('POST', '/addon-attachments', { token: alice, body: { addon: { name: 'shared-db' }, app: { name: 'b-one' } } });
  assert.deepEqual([push.status, push.body.id], [404, 'not_found']);
  assert.equal((await api.request('GET', '/addons/shared-db', { token: bob })).status, 404);
  assert.equal((await api.request('DELETE', `/apps/a-one/addons/${db.id}`, { token: bob, body: { force: false } })).status, 404);

  const destroyAttached = await api.request('DELETE', `/apps/${db.app.id}/addons/${db.id}`, { token: alice, body: { force: false } });
  assert.deepEqual([destroyAttached.status, destroyAttached.body.id], [423, 'confirmation_required']);
  assert.match(destroyAttached.body.message, /also attached to a-two::REPORTING/);

  const detach = await api.request('DELETE', `/addon-attachments/${attach.body.id}`, { token: alice });
  assert.equal(detach.status, 200);
  assert.equal((await api.request('GET', '/apps/a-two/config-vars', { token: alice })).body.REPORTING_URL, undefined);
  assert.equal((await releases(api, 'a-two')).at(-1)?.description, 'Detach REPORTING (@ref:shared-db)');
  assert.deepEqual(provider.bound('shared-db').length, 1);

  const destroyed = await api.request('DELETE', `/apps/${db.app.id}/addons/${db.id}`, { token: alice, body: { force: false } });
  assert.deepEqual([destroyed.status, destroyed.body.state, destroyed.body.name], [200, 'deprovisioned', 'shared-db']);
  assert.equal((await api.request('GET', '/apps/a-one/config-vars', { token: alice })).body.MEMORY_URL, undefined);
  assert.equal((await releases(api, 'a-one')).at(-1)?.description, 'Detach MEMORY (@ref:shared-db)');
  assert.deepEqual(provider.spaces(), []);
  assert.equal((await api.request('GET', '/apps/a-one/addons/shared-db', { token: alice })).status, 404);
});

test('a provider failing part-way leaves no add-on, no config var, no release, nothing on the provider', async (t) => {
  const failAt: { step?: string } = {};
  const { api, addons, provider } = await startAddonApi(failAt);
  t.after(async () => {
    await addons.stop('all');
    await api.close();
  });
  await api.request('POST', '/apps', { body: { name: 'fail-app' } });
  for (const step of ['space', 'credentials']) {
    failAt.step = step;
    const before = await releases(api, 'fail-app');
    const r = await api.request('POST', '/apps/fail-app/addons', { body: { plan: 'slipway-memory:mini', name: 'never-db' } });
    assert.deepEqual([r.status, r.body.id], [503, 'unavailable'], step);
    assert.match(r.body.message, new RegExp(`could not be provisioned: injected failure at ${step}`));
    assert.deepEqual((await api.request('GET', '/apps/fail-app/addons')).body, []);
    assert.deepEqual((await api.request('GET', '/apps/fail-app/config-vars')).body, {});
    assert.equal((await releases(api, 'fail-app')).length, before.length);
    assert.deepEqual(provider.spaces(), []);
  }
  failAt.step = undefined;
  assert.equal((await api.request('POST', '/apps/fail-app/addons', { body: { plan: 'slipway-memory:mini', name: 'never-db' } })).status, 201, 'the name is free again');
});

test('destroying an app prunes its add-ons on the provider', async (t) => {
  const { api, addons, provider } = await startAddonApi();
  t.after(async () => {
    await addons.stop('all');
    await api.close();
  });
  await api.request('POST', '/apps', { body: { name: 'doomed-app' } });
  await api.request('POST', '/apps/doomed-app/addons', { body: { plan: 'slipway-memory:mini', name: 'doomed-db' } });
  assert.deepEqual(provider.spaces(), ['doomed-db']);
  assert.equal((await api.request('DELETE', '/apps/doomed-app')).status, 200);
  await addons.stop('control-plane'); // waits for the background prune
  assert.deepEqual(provider.spaces(), []);
});
