import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig, ConfigError, CONFIG_TABLE } from './config.js';

test('defaults follow DESIGN.md and Heroku', () => {
  const c = loadConfig({});
  assert.equal(c.apiPort, 5000);
  assert.equal(c.routerPort, 8080);
  assert.equal(c.domain, 'localhost');
  assert.equal(c.dataDir, path.resolve('.slipway'));
  assert.equal(c.databaseUrl, '');
  assert.equal(c.runtime, 'auto');
  assert.equal(c.routerTimeoutMs, 30_000);
  assert.equal(c.routerIdleTimeoutMs, 55_000);
  assert.equal(c.bootTimeoutMs, 60_000);
  assert.equal(c.stopGraceMs, 30_000);
  assert.equal(c.cyclePeriodMs, 24 * 3600_000);
  assert.equal(c.cycleJitterMs, 216 * 60_000);
  assert.equal(c.logHistoryLines, 1500);
  assert.equal(c.maxDrains, 5);
  assert.equal(c.buildTimeoutMs, 15 * 60_000);
  assert.ok(Object.isFrozen(c));
});

test('environment overrides are parsed', () => {
  const c = loadConfig({ SLIPWAY_API_PORT: '5055', SLIPWAY_RUNTIME: 'process', SLIPWAY_DATABASE_URL: 'postgres://u@h/db', SLIPWAY_DATA_DIR: '/tmp/x' });
  assert.equal(c.apiPort, 5055);
  assert.equal(c.runtime, 'process');
  assert.equal(c.databaseUrl, 'postgres://u@h/db');
  assert.equal(c.dataDir, '/tmp/x');
});

test('a bad value names the variable', () => {
  const cases: Record<string, string> = {
    SLIPWAY_API_PORT: 'eighty',
    SLIPWAY_ROUTER_PORT: '70000',
    SLIPWAY_RUNTIME: 'docker',
    SLIPWAY_DATABASE_URL: 'mysql://x',
    SLIPWAY_ADMIN_TOKEN: 'short',
    SLIPWAY_ROUTER_TIMEOUT_MS: '0',
    SLIPWAY_ROUTER_PROCESS: 'maybe',
  };
  for (const [variable, value] of Object.entries(cases)) {
    assert.throws(() => loadConfig({ [variable]: value }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.variable, variable);
      assert.match(err.message, new RegExp(`^${variable}: `));
      return true;
    });
  }
});

/** The swarm runtime reaches its manager as every Docker client does: these keep Docker's names. */
const DOCKER_CLIENT_VARS = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'];

test('every key reads a SLIPWAY_ variable (or a Docker client variable) and documents itself', () => {
  const envs = new Set<string>();
  for (const entry of Object.values(CONFIG_TABLE)) {
    if (!DOCKER_CLIENT_VARS.includes(entry.env)) assert.match(entry.env, /^SLIPWAY_[A-Z0-9_]+$/);
    assert.ok(entry.doc.length > 5, `${entry.env} needs a doc line`);
    assert.ok(!envs.has(entry.env), `${entry.env} is used twice`);
    envs.add(entry.env);
  }
});

test('the add-on settings: an operator\'s server must be a postgres:// URL', () => {
  assert.equal(loadConfig({}).addonsPostgres, 'auto');
  assert.equal(loadConfig({ SLIPWAY_ADDONS_POSTGRES_URL: 'postgres://admin:pw@db.internal:5432/postgres' }).addonsPostgresUrl, 'postgres://admin:pw@db.internal:5432/postgres');
  assert.throws(() => loadConfig({ SLIPWAY_ADDONS_POSTGRES_URL: 'sqlite:/tmp/x' }), /SLIPWAY_ADDONS_POSTGRES_URL: expected a postgres:\/\/ URL/);
  assert.throws(() => loadConfig({ SLIPWAY_ADDONS_POSTGRES: 'maybe' }), ConfigError);
});

test('the swarm runtime reads DOCKER_HOST and its TLS variables as every Docker client does', () => {
  const c = loadConfig({ SLIPWAY_RUNTIME: 'swarm', DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/etc/slipway/docker' });
  assert.equal(c.runtime, 'swarm');
  assert.equal(c.dockerHost, 'tcp://10.0.0.5:2376');
  assert.equal(c.dockerTlsVerify, '1');
  assert.equal(c.dockerCertPath, '/etc/slipway/docker');
  assert.equal(loadConfig({}).dockerHost, '');
});
