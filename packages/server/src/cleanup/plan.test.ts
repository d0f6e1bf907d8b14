import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firewallCleanup, isInstanceContainer, planCleanup, vethCandidates, type HostSnapshot } from './plan.js';

const I = 'c0ffee01';
const dyno = `myapp.web.1.${I}a1b2c3`;
const build = `slipway-run-${I}0123456789ab`;
const other = 'otherapp.web.1.deadbeef0a0b0c';

function host(over: Partial<HostSnapshot> = {}): HostSnapshot {
  return {
    processes: [
      { pid: 10, cmdline: ['node', 'process-main.js'], environ: [`SLIPWAY_INSTANCE_ID=${I}`, 'SLIPWAY_DATA_DIR=/gone/data'] },
      { pid: 11, cmdline: ['/usr/bin/conmon', '--cid', dyno, '-b', `/gone/data/runc/dynos/${dyno}`], environ: [] },
      { pid: 12, cmdline: ['/usr/bin/conmon', '--cid', other, '-b', '/elsewhere'], environ: ['SLIPWAY_DATA_DIR=/elsewhere'] },
      { pid: 13, cmdline: ['vim', '/gone/data-other/x'], environ: [] },
    ],
    cgroups: [`memory/slipway/${dyno}`, `cpu/slipway/${build}`, `memory/slipway/${other}`],
    netns: [dyno, build, other],
    links: ['eth0', ...vethCandidates(dyno), ...vethCandidates(other)],
    mounts: ['/', '/gone/data/runc/x', '/gone/data-other', `/run/netns/${dyno}`],
    iptables: [
      '*filter',
      `-A SLW-FWD-1 -s 10.0.0.2/32 -i br -m physdev --physdev-in slw1 -m comment --comment "slw:${I}" -j SLW-APP-aa`,
      '-A SLW-FWD-1 -s 10.0.0.3/32 -i br -m physdev --physdev-in slw2 -m comment --comment "slw:deadbeef" -j SLW-APP-bb',
      `-A SLW-IN-1 -i br -p tcp --dport 8080 -m comment --comment "slw:${I}:router" -j ACCEPT`,
      '-A SLW-IN-1 -i br -j DROP',
      `-A SLW-APP-aa -d 10.0.0.2/32 -o br -m physdev --physdev-out slw1 -m comment --comment "slw:${I}" -j ACCEPT`,
      `-A SLW-APP-aa -m comment --comment "slw:${I}" -j DROP`,
      '-A SLW-APP-bb -m comment --comment "slw:deadbeef" -j DROP',
      'COMMIT',
    ].join('\n'),
    claims: [{ bridge: 'br', ip: '10.0.0.2', owner: dyno }, { bridge: 'br', ip: '10.0.0.3', owner: other }],
    ...over,
  };
}

describe('cleanup plan', () => {
  it('recognises an instance\'s containers by id', () => {
    assert.ok(isInstanceContainer(dyno, I));
    assert.ok(isInstanceContainer(build, I));
    assert.ok(!isInstanceContainer(other, I));
    assert.ok(!isInstanceContainer(`myapp.web.1.${I}`, I), 'a pre-instance id (8 hex only) is not one of ours');
  });

  it('finds everything of the instance without its data dir, nothing of another', () => {
    const actions = planCleanup(host(), { instance: I, dataDir: null, bridge: 'br' });
    const of = (k: string) => actions.filter((a) => a.kind === k);
    assert.deepEqual(of('kill').map((a) => (a as { pid: number }).pid).sort(), [10, 11]);
    assert.deepEqual(of('cgroup').map((a) => (a as { path: string }).path).sort(), [`cpu/slipway/${build}`, `memory/slipway/${dyno}`]);
    assert.deepEqual(of('netns').map((a) => (a as { name: string }).name).sort(), [build, dyno].sort());
    assert.deepEqual(of('link').map((a) => (a as { name: string }).name), vethCandidates(dyno).filter((v) => host().links.includes(v)));
    assert.deepEqual(of('claim'), [{ kind: 'claim', bridge: 'br', ip: '10.0.0.2' }]);
    assert.deepEqual(of('owner'), [{ kind: 'owner', instance: I }]);
    assert.deepEqual(of('umount'), []);
  });

  it('with the data dir known, also its mounts and processes naming it (not a sibling dir)', () => {
    const actions = planCleanup(host(), { instance: I, dataDir: '/gone/data', bridge: null });
    assert.deepEqual(actions.filter((a) => a.kind === 'umount').map((a) => (a as { path: string }).path), ['/gone/data/runc/x']);
    assert.ok(!actions.some((a) => a.kind === 'kill' && a.pid === 13));
  });

  it('deletes the instance\'s tagged rules and the chains made only of them', () => {
    const fw = firewallCleanup(host().iptables, I)!;
    const lines = fw.script.split('\n');
    assert.ok(lines.some((l) => l.startsWith('-D SLW-FWD-1') && l.includes(`slw:${I}`)));
    assert.ok(lines.some((l) => l.startsWith('-D SLW-IN-1') && l.includes(`slw:${I}:router`)));
    assert.ok(lines.includes('-F SLW-APP-aa') && lines.includes('-X SLW-APP-aa'));
    assert.ok(!lines.some((l) => l.includes('deadbeef') || l.includes('SLW-APP-bb') || l.endsWith('-j DROP') && l.startsWith('-D SLW-IN-1 -i br -j')));
    assert.deepEqual(fw.chains, ['SLW-APP-aa']);
    assert.equal(fw.rules, 4);
    assert.equal(firewallCleanup(host().iptables, 'abababab'), null);
  });
});
