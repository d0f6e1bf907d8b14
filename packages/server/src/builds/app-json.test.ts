import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { addonRequests, envSpecs, parseAppJson, readAppJsonFile, resolveEnv, scriptCommand } from './app-json.js';

const deployButtonApp = {
  name: 'Small Sharp Tool',
  env: {
    SECRET_TOKEN: { description: 'A secret key for verifying the integrity of signed cookies.', generator: 'secret' },
    WEB_CONCURRENCY: { description: 'The number of processes to run.', value: '5' },
    ADMIN_EMAIL: { description: 'Who gets the alerts' },
    OPTIONAL_FLAG: { required: false },
    GREETING: 'hello',
  },
  formation: { web: { quantity: 2, size: 'standard-2x' } },
  addons: ['heroku-redis', { plan: 'heroku-postgresql:essential-0', as: 'DATABASE' }],
  buildpacks: [{ url: 'heroku/nodejs' }],
  scripts: { postdeploy: 'node seed.js', 'pr-predestroy': 'node cleanup.js' },
  environments: { review: { env: { REVIEW: 'yes' }, formation: { web: { quantity: 1 } } } },
};

describe('app.json', () => {
  it('parses Heroku\'s schema and normalises env entries (required defaults to true; a bare string is a value)', () => {
    const json = parseAppJson(JSON.stringify(deployButtonApp));
    assert.deepEqual(envSpecs(json), {
      SECRET_TOKEN: { description: 'A secret key for verifying the integrity of signed cookies.', value: null, required: true, generator: 'secret' },
      WEB_CONCURRENCY: { description: 'The number of processes to run.', value: '5', required: true, generator: null },
      ADMIN_EMAIL: { description: 'Who gets the alerts', value: null, required: true, generator: null },
      OPTIONAL_FLAG: { description: null, value: null, required: false, generator: null },
      GREETING: { description: null, value: 'hello', required: true, generator: null },
    });
    assert.deepEqual(addonRequests(json), [{ plan: 'heroku-redis', as: null }, { plan: 'heroku-postgresql:essential-0', as: 'DATABASE' }]);
    assert.equal(scriptCommand(json.scripts?.postdeploy), 'node seed.js');
    assert.equal(scriptCommand(json.scripts?.['pr-predestroy']), 'node cleanup.js');
    assert.deepEqual(json.environments?.review?.env, { REVIEW: 'yes' });
    assert.deepEqual(json.formation, { web: { quantity: 2, size: 'standard-2x' } });
  });

  it('refuses what is not app.json, naming the place', () => {
    assert.throws(() => parseAppJson('{'), /app\.json is not valid JSON/);
    assert.throws(() => parseAppJson('[]'), /app\.json must be a JSON object/);
    assert.throws(() => parseAppJson(JSON.stringify({ env: { 'BAD-KEY': 'x' } })), /app\.json is invalid at env\.BAD-KEY/);
    assert.throws(() => parseAppJson(JSON.stringify({ formation: { web: { quantity: -1 } } })), /app\.json is invalid at formation\.web\.quantity/);
    assert.throws(() => parseAppJson(JSON.stringify({ env: { A: { generator: 'uuid' } } })), /app\.json is invalid at env\.A/);
  });

  it('resolves env: overrides, then values, then a fresh secret; a required one without any is missing', () => {
    const specs = envSpecs(parseAppJson(JSON.stringify(deployButtonApp)));
    let n = 0;
    const secret = () => `secret-${++n}`;
    assert.deepEqual(resolveEnv(specs, {}, secret), { ok: false, missing: ['ADMIN_EMAIL'] });
    n = 0;
    assert.deepEqual(resolveEnv(specs, { ADMIN_EMAIL: 'ops@example.com', EXTRA: '1' }, secret), {
      ok: true,
      config: { SECRET_TOKEN: 'secret-1', WEB_CONCURRENCY: '5', ADMIN_EMAIL: 'ops@example.com', GREETING: 'hello', EXTRA: '1' },
    });
    const a = resolveEnv(specs, { ADMIN_EMAIL: 'x' });
    const b = resolveEnv(specs, { ADMIN_EMAIL: 'x' });
    assert.ok(a.ok && b.ok);
    assert.match(a.config.SECRET_TOKEN, /^[0-9a-f]{64}$/);
    assert.notEqual(a.config.SECRET_TOKEN, b.config.SECRET_TOKEN, 'a generated secret differs per app');
  });

  it('reads app.json from a source tree, refusing a symlink', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-appjson-'));
    try {
      assert.equal(await readAppJsonFile(dir), undefined);
      await writeFile(path.join(dir, 'real.json'), '{"name":"x"}');
      await symlink('real.json', path.join(dir, 'app.json'));
      await assert.rejects(readAppJsonFile(dir), /app\.json is a symlink/);
      await rm(path.join(dir, 'app.json'));
      await writeFile(path.join(dir, 'app.json'), '{"name":"x"}');
      assert.equal(await readAppJsonFile(dir), '{"name":"x"}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
