import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CleanupRefused, findTargets } from './cleanup/index.js';
import { parseCleanupArgs, summarize } from './cleanup-main.js';
import { removeOwner, writeOwner } from './isolation/index.js';

const isRoot = process.getuid?.() === 0;

describe('slipway cleanup arguments', () => {
  it('takes --data-dir, --instance and --orphans; refuses the rest with a one-line reason', () => {
    assert.deepEqual(parseCleanupArgs(['--orphans']), { orphans: true });
    assert.deepEqual(parseCleanupArgs(['--instance', 'abcd0123']), { instance: 'abcd0123' });
    assert.equal(parseCleanupArgs(['--data-dir', 'rel/dir']).dataDir, `${process.cwd()}/rel/dir`);
    assert.ok(parseCleanupArgs([]).dataDir, 'the configured data dir by default');
    assert.throws(() => parseCleanupArgs(['--instance', '../../etc']), CleanupRefused);
    assert.throws(() => parseCleanupArgs(['--instance']), /needs a value/);
    assert.throws(() => parseCleanupArgs(['--force']), /unknown argument/);
  });

  it('summarizes what it removed', () => {
    const line = summarize({
      instance: 'abcd0123', failures: [], bridgeRemoved: 'slipway0',
      done: [{ kind: 'kill', pid: 1, what: 'x' }, { kind: 'netns', name: 'n' }, { kind: 'iptables', script: '', rules: 7, chains: [] }],
    });
    assert.equal(line, 'instance abcd0123: removed 1 processes, 0 cgroups, 0 mounts, 1 network namespaces, 0 veths, 7 iptables rules, 0 address claims, bridge slipway0');
  });
});

describe('slipway cleanup targets', { skip: isRoot ? false : 'writes /run/slipway (root)' }, () => {
  const id = randomBytes(4).toString('hex');
  after(() => removeOwner(id));

  it('refuses an instance whose platform runs, and leaves it out of --orphans', async () => {
    await writeOwner({ id, dataDir: '/tmp/some-data', bridge: null, subnet: null, routerPort: null });
    await assert.rejects(findTargets({ instance: id }), /is running as pid/);
    assert.ok(!(await findTargets({ orphans: true })).some((t) => t.instance === id));
  });
});
