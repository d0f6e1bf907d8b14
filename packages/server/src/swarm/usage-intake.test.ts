import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Dockerode from 'dockerode';
import { silentLogger } from '../log/index.js';
import { createUsageIntake, AGENT_SERVICE_NAME } from './usage-intake.js';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

const aSummary = (over: { node?: string; containers?: unknown[] } = {}) => ({
  node: { id: over.node ?? 'node-1', hostname: 'box1', cpus: 4, memoryTotalBytes: 8e9, memoryAvailableBytes: 6e9, load1: 0.5 },
  containers: over.containers ?? [],
});

async function post(address: { host: string; port: number }, body: unknown, token?: string) {
  const res = await fetch(`http://${address.host}:${address.port}/usage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

async function withIntake(fn: (intake: Awaited<ReturnType<typeof createUsageIntake>>, clock: { ms: number }) => Promise<void>) {
  const clock = { ms: 1_000_000 };
  const intake = await createUsageIntake({ listenHost: '127.0.0.1', port: 0, logger: silentLogger, intervalMs: 1000, clock: () => clock.ms });
  try {
    await fn(intake, clock);
  } finally {
    await intake.close();
  }
}

test('a summary without the token, or with another, is refused with a Heroku-style 401', () => withIntake(async (intake) => {
  assert.notEqual(intake.address.port, 0);
  assert.ok(intake.token.length >= 24);
  const none = await post(intake.address, aSummary());
  assert.equal(none.status, 401);
  assert.equal(none.body.id, 'unauthorized');
  const wrong = await post(intake.address, aSummary(), intake.token + 'x');
  assert.equal(wrong.status, 401);
  assert.equal(intake.nodes().length, 0);
}));

test('a malformed summary is a 400 naming the field; nothing is kept', () => withIntake(async (intake) => {
  const notJson = await post(intake.address, '{', intake.token);
  assert.equal(notJson.status, 400);
  assert.equal(notJson.body.id, 'invalid_params');
  const badId = await post(intake.address, aSummary({ containers: [{ id: '../etc', memoryBytes: 1, cpuMicros: 1 }] }), intake.token);
  assert.equal(badId.status, 400);
  assert.match(String(badId.body.message), /containers\.0\.id/);
  const negative = await post(intake.address, aSummary({ containers: [{ id: ID_A, memoryBytes: -1, cpuMicros: 1 }] }), intake.token);
  assert.equal(negative.status, 400);
  assert.equal(intake.usageFor(ID_A), undefined);
}));

test('usageFor marks a container wanted; the agent learns it and its next summary answers it', () => withIntake(async (intake, clock) => {
  assert.equal(intake.usageFor(ID_A), undefined);
  const first = await post(intake.address, aSummary(), intake.token);
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.want, [ID_A]);
  clock.ms += 1000;
  await post(intake.address, aSummary({ containers: [{ id: ID_A, memoryBytes: 100e6, cpuMicros: 2_000_000, rssBytes: 90e6, cacheBytes: 5e6 }] }), intake.token);
  assert.deepEqual(intake.usageFor(ID_A), { memoryBytes: 100e6, cpuMicros: 2_000_000, rssBytes: 90e6, cacheBytes: 5e6 });
  assert.equal(intake.usageFor(ID_B), undefined);
}));

test('a node that stops reporting: its dynos\' usage becomes unknown and it leaves the listing', () => withIntake(async (intake, clock) => {
  intake.usageFor(ID_A);
  await post(intake.address, aSummary({ containers: [{ id: ID_A, memoryBytes: 1e6, cpuMicros: 0 }] }), intake.token);
  assert.ok(intake.usageFor(ID_A));
  assert.equal(intake.nodes().length, 1);
  clock.ms += 3001;
  assert.equal(intake.usageFor(ID_A), undefined);
  assert.equal(intake.nodes().length, 0);
}));

test('nodes() sums the dynos on each node: memory, and CPU cores busy between two summaries', () => withIntake(async (intake, clock) => {
  intake.usageFor(ID_A);
  intake.usageFor(ID_B);
  await post(intake.address, aSummary({ node: 'n1', containers: [{ id: ID_A, memoryBytes: 100, cpuMicros: 1_000_000 }] }), intake.token);
  await post(intake.address, aSummary({ node: 'n2', containers: [{ id: ID_B, memoryBytes: 7, cpuMicros: 0 }] }), intake.token);
  clock.ms += 2000;
  await post(intake.address, aSummary({ node: 'n1', containers: [{ id: ID_A, memoryBytes: 300, cpuMicros: 2_000_000 }] }), intake.token);
  await post(intake.address, aSummary({ node: 'n2', containers: [{ id: ID_B, memoryBytes: 9, cpuMicros: 0 }] }), intake.token);
  const byId = Object.fromEntries(intake.nodes().map((n) => [n.nodeId, n]));
  assert.equal(byId.n1.dynoMemoryBytes, 300);
  assert.equal(byId.n1.dynoCpuCores, 0.5);
  assert.deepEqual(byId.n1.containers, [ID_A]);
  assert.equal(byId.n2.dynoMemoryBytes, 9);
  assert.equal(byId.n2.dynoCpuCores, 0);
  assert.equal(byId.n2.cpus, 4);
}));

test('the agent service: global, on the host network, the cgroup tree read-only, the intake URL and token in its env', () => withIntake(async (intake) => {
    const spec = intake.agentServiceSpec('registry.test:5000/slipway/stack:1');
  assert.equal(spec.Name, AGENT_SERVICE_NAME);
  assert.deepEqual(spec.Mode, { Global: {} });
  assert.equal(spec.EndpointSpec!.Mode, 'dnsrr');
  const task = spec.TaskTemplate as Dockerode.ContainerTaskSpec;
  const c = task.ContainerSpec!;
  assert.equal(c.Image, 'registry.test:5000/slipway/stack:1');
  assert.equal(c.Command![0], 'node');
  assert.match(c.Command![2], /module\.exports\.main\(\);$/);
  assert.ok(c.Env!.includes(`SLIPWAY_USAGE_URL=http://127.0.0.1:${intake.address.port}/usage`));
  assert.ok(c.Env!.includes(`SLIPWAY_USAGE_TOKEN=${intake.token}`));
  assert.ok(c.Env!.includes('SLIPWAY_NODE_ID={{.Node.ID}}'));
  assert.deepEqual(c.Mounts, [{ Type: 'bind', Source: '/sys/fs/cgroup', Target: '/host/cgroup', ReadOnly: true }]);
  assert.deepEqual(task.Networks, [{ Target: 'host' }]);
}));

test('a given token is the one required', async () => {
  const intake = await createUsageIntake({ listenHost: '127.0.0.1', port: 0, logger: silentLogger, token: 'secret-of-the-operator' });
  try {
    assert.equal(intake.token, 'secret-of-the-operator');
    assert.equal((await post(intake.address, aSummary(), 'secret-of-the-operator')).status, 200);
  } finally {
    await intake.close();
  }
});
