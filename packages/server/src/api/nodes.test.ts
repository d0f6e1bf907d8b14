/** The nodes routes through the real API stack when the runtime is not swarm, and their admin check. (With a real Swarm: swarm/nodes.swarm.test.ts.) */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApi } from '../../test/helpers/api-server.js';
import { nodeRoutes } from './routes/nodes.js';

test('under another runtime every nodes path answers 503 unavailable naming the runtime; non-admins get 403 first', async (t) => {
  const api = await startTestApi({ extraRoutes: nodeRoutes({ nodes: null, runtime: 'runc' }) });
  t.after(() => api.close());
  for (const [method, path, body] of [['GET', '/nodes'], ['GET', '/nodes/join'], ['PATCH', '/nodes/node2', { availability: 'drain' }]] as const) {
    const r = await api.request(method, path, body ? { body } : {});
    assert.deepEqual([r.status, r.body.id], [503, 'unavailable'], `${method} ${path}`);
    assert.match(r.body.message, /swarm runtime; this platform runs its dynos with the runc runtime/);
  }
  const stranger = await api.user('stranger@example.com');
  const r = await api.request('GET', '/nodes', { token: stranger });
  assert.deepEqual([r.status, r.body.id], [403, 'forbidden']);
});
