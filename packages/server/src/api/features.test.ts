import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApi } from '../../test/helpers/api-server.js';

test('app features: list, get, enable preboot (the reconciler reads the app\'s preboot), log-runtime-metrics, runtime-dyno-metadata always on', async (t) => {
  const api = await startTestApi();
  t.after(() => api.close());
  const created = await api.request('POST', '/apps', { body: { name: 'feat' } });
  const appId = created.body.id as string;
  const list = await api.request('GET', '/apps/feat/features');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.map((f: { name: string; state: string; enabled: boolean }) => [f.name, f.state, f.enabled]),
    [['log-runtime-metrics', 'beta', false], ['preboot', 'general', false], ['runtime-dyno-metadata', 'beta', true]]);
  for (const f of list.body) assert.match(f.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);

  const preboot = await api.request('PATCH', '/apps/feat/features/preboot', { body: { enabled: true } });
  assert.deepEqual([preboot.status, preboot.body.name, preboot.body.enabled], [200, 'preboot', true]);
  assert.equal((await api.store.apps.get(appId))?.preboot, true);
  assert.ok(api.logs.lines(appId).some((l) => /Enable preboot/.test(l.message)), 'an app[api] line');

  const lrm = await api.request('PATCH', '/apps/feat/features/log-runtime-metrics', { body: { enabled: true } });
  assert.equal(lrm.body.enabled, true);
  assert.deepEqual(await api.store.appFeatures.appsWith('log-runtime-metrics'), [appId]);
  assert.equal((await api.request('GET', '/apps/feat/features/log-runtime-metrics')).body.enabled, true);

  const off = await api.request('PATCH', '/apps/feat/features/runtime-dyno-metadata', { body: { enabled: false } });
  assert.deepEqual([off.status, off.body.id], [422, 'invalid_params']);
  const bad = await api.request('PATCH', '/apps/feat/features/preboot', { body: { enabled: 'yes' } });
  assert.deepEqual([bad.status, bad.body.id], [422, 'invalid_params']);
  const unknown = await api.request('GET', '/apps/feat/features/nope');
  assert.deepEqual([unknown.status, unknown.body.id], [404, 'not_found']);
  // labs:enable looks for an account feature first, and falls back to the app's on a 404
  assert.deepEqual((await api.request('GET', '/account/features')).body, []);
  assert.equal((await api.request('GET', '/account/features/log-runtime-metrics')).status, 404);
  const stranger = await api.user('stranger@example.com');
  assert.equal((await api.request('PATCH', '/apps/feat/features/preboot', { token: stranger, body: { enabled: false } })).status, 404);
});
