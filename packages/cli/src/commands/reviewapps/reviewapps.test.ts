import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });

describe('reviewapps', () => {
  it('enables, disables one setting or all, creates and lists', async () => {
    api.expect('POST', '/pipelines/shop/review-app-config', { body: { automatic_review_apps: true, destroy_stale_apps: true, stale_days: 5 } });
    api.expect('PATCH', '/pipelines/shop/review-app-config', { body: {} });
    api.expect('DELETE', '/pipelines/shop/review-app-config', { body: {} });
    api.expect('POST', '/review-apps', { status: 201, body: { id: 'r1', status: 'creating', app: { id: 'a1' }, message: null } });
    api.expect('GET', '/apps/a1', { body: { name: 'shop-feature-x' } });
    api.expect('GET', '/pipelines/shop/review-apps', { body: [{ id: 'r1', branch: 'feature-x', status: 'created', app: { id: 'a1' }, message: null, commit: 'c'.repeat(40) }] });
    api.expect('GET', '/apps/a1', { body: { name: 'shop-feature-x' } });
    const en = await run(['reviewapps:enable', '-p', 'shop', '--autodeploy', '--autodestroy']);
    assert.equal(en.code, 0, en.stderr);
    assert.equal(en.stdout, 'Pushed branches become review apps; idle ones are destroyed after 5 days.\n');
    assert.equal((await run(['reviewapps:disable', '-p', 'shop', '--no-autodestroy'])).code, 0);
    assert.equal((await run(['reviewapps:disable', '-p', 'shop'])).code, 0);
    const cr = await run(['reviewapps:create', '-p', 'shop', '-b', 'feature-x']);
    assert.equal(cr.stdout, 'shop-feature-x is being built: slipway reviewapps -p shop shows when it is created.\n');
    const ls = await run(['reviewapps', '-p', 'shop']);
    assert.match(ls.stdout, /feature-x {2}shop-feature-x {2}created {2}cccccc/);
    assert.deepEqual(api.requests.slice(0, 4).map((r) => r.body), [
      { automatic_review_apps: true, destroy_stale_apps: true }, { destroy_stale_apps: false }, undefined, { branch: 'feature-x', pipeline: 'shop' },
    ]);
    api.assertDone();
  });

  it('needs -p (and -b to create)', async () => {
    for (const argv of [['reviewapps:enable'], ['reviewapps:disable'], ['reviewapps'], ['reviewapps:create', '-p', 'shop']]) {
      const r = await run(argv);
      assert.notEqual(r.code, 0, argv.join(' '));
      assert.match(r.stderr, /Missing/);
    }
    api.assertDone();
  });
});
