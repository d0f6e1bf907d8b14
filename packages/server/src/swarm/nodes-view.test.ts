import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drainPlan, dynoTasks, findNode, nodeViews, type SwarmNode, type SwarmTask } from './nodes-view.js';
import type { NodeUsage } from './usage-intake.js';

const GB = 1024 ** 3;
const aNode = (id: string, hostname: string, over: Partial<SwarmNode> = {}): SwarmNode => ({
  ID: id, Description: { Hostname: hostname, Resources: { NanoCPUs: 2e9, MemoryBytes: 8 * GB } },
  Spec: { Role: 'worker', Availability: 'active' }, Status: { State: 'ready', Addr: '10.77.0.3' }, ...over,
});
const aDynoTask = (id: string, node: string, dyno: string, over: { desired?: string; app?: string; container?: string } = {}): SwarmTask => ({
  ID: id, NodeID: node, DesiredState: over.desired ?? 'running',
  Status: { State: 'running', ContainerStatus: { ContainerID: over.container ?? id.padEnd(64, '0') } },
  Spec: {
    ContainerSpec: { Labels: { 'slipway.app-id': `${over.app ?? 'myapp'}-id`, 'slipway.app': over.app ?? 'myapp', 'slipway.dyno': dyno, 'slipway.type': dyno.split('.')[0], 'slipway.dyno-key': `k-${id}` } },
    Resources: { Reservations: { NanoCPUs: 5e8, MemoryBytes: 512 * 1024 ** 2 } },
  },
});
const aUsage = (nodeId: string, over: Partial<NodeUsage> = {}): NodeUsage => ({
  nodeId, hostname: nodeId, cpus: 2, memoryTotalBytes: 8 * GB, memoryAvailableBytes: 6 * GB, load1: 0.3, seenAtMs: Date.UTC(2026, 11, 7),
  dynoMemoryBytes: 100, dynoCpuCores: 0.25, containers: [], ...over,
});

test('dynoTasks keeps the Slipway dynos that are meant to run, with their labels read', () => {
  const other: SwarmTask = { ID: 'agent', NodeID: 'n1', DesiredState: 'running', Spec: { ContainerSpec: { Labels: { 'slipway.role': 'node-agent' } } } };
  const stopped = aDynoTask('t-old', 'n1', 'web.1', { desired: 'shutdown' });
  const d = dynoTasks([other, stopped, aDynoTask('t1', 'n1', 'web.1')]);
  assert.equal(d.length, 1);
  assert.deepEqual({ ...d[0] }, {
    taskId: 't1', nodeId: 'n1', appId: 'myapp-id', app: 'myapp', dyno: 'web.1', type: 'web', state: 'running',
    containerId: 't1'.padEnd(64, '0'), reservedNanoCpus: 5e8, reservedMemoryBytes: 512 * 1024 ** 2,
  });
});

test('nodeViews: role and leader, reserved from the dynos\' reservations, used from the agent, dynos sorted; managers first', () => {
  const nodes = [
    aNode('n2', 'node2'),
    aNode('n1', 'node1', { Spec: { Role: 'manager', Availability: 'active' }, Status: { State: 'ready', Addr: '0.0.0.0' }, ManagerStatus: { Leader: true, Addr: '10.77.0.2:2377' } }),
  ];
  const tasks = [aDynoTask('t3', 'n1', 'web.10'), aDynoTask('t1', 'n1', 'web.2'), aDynoTask('t2', 'n2', 'worker.1'), aDynoTask('t4', 'n1', 'web.1', { app: 'blog' })];
  const v = nodeViews(nodes, tasks, [aUsage('n1')]);
  assert.deepEqual(v.map((n) => n.hostname), ['node1', 'node2']);
  assert.equal(v[0].role, 'manager');
  assert.equal(v[0].leader, true);
  assert.equal(v[0].address, '10.77.0.2', 'a manager whose Status.Addr is 0.0.0.0 shows its manager address');
  assert.equal(v[0].cpus, 2);
  assert.deepEqual(v[0].reserved, { cpus: 1.5, memory_bytes: 3 * 512 * 1024 ** 2 });
  assert.deepEqual(v[0].dynos.map((d) => `${d.app} ${d.dyno}`), ['blog web.1', 'myapp web.2', 'myapp web.10']);
  assert.deepEqual(v[0].used, { cpu_cores: 0.25, memory_bytes: 100, memory_available_bytes: 6 * GB, load1: 0.3, reported_at: '2026-12-07T00:00:00.000Z' });
  assert.equal(v[1].used, null, 'no agent report: used is unknown, not zero');
  assert.deepEqual(v[1].reserved, { cpus: 0.5, memory_bytes: 512 * 1024 ** 2 });
});

test('findNode: by id, hostname, or a unique id prefix of 4+; unknown and ambiguous said apart', () => {
  const nodes = [aNode('abcd1111', 'node1'), aNode('abcd2222', 'node2'), aNode('ffff0000', 'twin'), aNode('eeee0000', 'twin')];
  assert.equal((findNode(nodes, 'abcd2222') as SwarmNode).ID, 'abcd2222');
  assert.equal((findNode(nodes, 'node1') as SwarmNode).ID, 'abcd1111');
  assert.equal((findNode(nodes, 'ffff') as SwarmNode).ID, 'ffff0000');
  assert.equal(findNode(nodes, 'abcd'), 'ambiguous');
  assert.equal(findNode(nodes, 'twin'), 'ambiguous');
  assert.equal(findNode(nodes, 'ff'), 'unknown');
  assert.equal(findNode(nodes, 'node9'), 'unknown');
});

test('drainPlan: the node\'s formation dynos in order; one-offs and other nodes\' dynos are not moved', () => {
  const tasks = [aDynoTask('t1', 'n1', 'web.2'), aDynoTask('t2', 'n1', 'run.4821'), aDynoTask('t3', 'n2', 'web.1'), aDynoTask('t4', 'n1', 'web.1'), aDynoTask('t5', 'n1', 'worker.1')];
  assert.deepEqual(drainPlan(tasks, 'n1'), [
    { appId: 'myapp-id', app: 'myapp', dyno: 'web.1' }, { appId: 'myapp-id', app: 'myapp', dyno: 'web.2' }, { appId: 'myapp-id', app: 'myapp', dyno: 'worker.1' },
  ]);
  assert.deepEqual(drainPlan(tasks, 'n3'), []);
});
