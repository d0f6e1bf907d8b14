import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });

const aNode = (over: Record<string, unknown> = {}) => ({
  id: 'x1c9g0ewc2jaqq3', hostname: 'node1', role: 'manager', leader: true, state: 'ready', availability: 'active', address: '10.77.0.2',
  cpus: 2, memory_bytes: 8 * 1024 ** 3, reserved: { cpus: 1, memory_bytes: 512 * 1024 ** 2 },
  used: { cpu_cores: 0.054, memory_bytes: 64 * 1024 ** 2, memory_available_bytes: 4e9, load1: 0.2, reported_at: '2026-12-07T21:00:00Z' },
  dynos: [{ app: 'myapp', dyno: 'web.1', state: 'running' }, { app: 'myapp', dyno: 'web.3', state: 'running' }],
  ...over,
});

describe('nodes', () => {
  it('lists the nodes with used/reserved/total CPU and memory and their dynos; "-" where the agent has not reported', async () => {
    api.expect('GET', '/nodes', { body: [aNode(), aNode({ id: 'qk3l7wq0t9sabb', hostname: 'node2', role: 'worker', leader: false, used: null, dynos: [] })] });
    const r = await run(['nodes']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], '=== Nodes');
    assert.match(lines[2], /^ Node\s+ID\s+Role\s+State\s+Availability\s+Address\s+CPU used\/reserved\/total\s+Memory used\/reserved\/total\s+Dynos$/);
    assert.match(lines[4], /^ node1\s+x1c9g0ewc2ja\s+manager \(leader\)\s+ready\s+active\s+10\.77\.0\.2\s+0\.05 \/ 1 \/ 2\s+64 MB \/ 512 MB \/ 8 GB\s+myapp web\.1, myapp web\.3$/);
    assert.match(lines[5], /^ node2\s+qk3l7wq0t9sa\s+worker\s+ready\s+active\s+10\.77\.0\.2\s+- \/ 1 \/ 2\s+- \/ 512 MB \/ 8 GB$/);
    api.assertDone();
  });

  it('nodes:join prints the join command', async () => {
    api.expect('GET', '/nodes/join', { body: { command: 'docker swarm join --token SWMTKN-1-abc 10.77.0.2:2377', token: 'SWMTKN-1-abc', manager_address: '10.77.0.2:2377' } });
    assert.equal((await run(['nodes:join'])).stdout, 'docker swarm join --token SWMTKN-1-abc 10.77.0.2:2377\n');
    api.assertDone();
  });

  it('nodes:drain asks for availability drain and says which dynos move; nodes:activate asks for active', async () => {
    api.expect('PATCH', '/nodes/node2', { status: 202, body: { node: aNode(), moving: [{ app: 'myapp', dyno: 'web.2' }, { app: 'myapp', dyno: 'worker.1' }] } });
    api.expect('PATCH', '/nodes/node2', { body: { node: aNode(), moving: [] } });
    const drained = await run(['nodes:drain', 'node2']);
    assert.equal(drained.code, 0);
    assert.match(drained.stderr, /Draining node2\.\.\. done, moving 2 dynos one at a time: myapp web\.2, myapp worker\.1/);
    assert.deepEqual(api.requests[0].body, { availability: 'drain' });
    assert.equal((await run(['nodes:activate', 'node2'])).code, 0);
    assert.deepEqual(api.requests[1].body, { availability: 'active' });
    api.assertDone();
  });

  it('an unknown node: the API\'s message on one line, non-zero exit; a missing NODE is a usage error', async () => {
    api.expect('PATCH', '/nodes/nope', { status: 404, body: { id: 'not_found', message: "Couldn't find that node: nope." } });
    const r = await run(['nodes:drain', 'nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Couldn't find that node: nope\./);
    const missing = await run(['nodes:activate']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Missing NODE/);
    api.assertDone();
  });
});
