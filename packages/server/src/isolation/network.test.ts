import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appChain, attachPlan, chainNames, cidrString, dynoIpRange, gatewayIp, ipToString, parseCidr, vethNames } from './network.js';

const net = { bridge: 'slipway0', subnet: parseCidr('10.213.0.0/16'), routerPort: 8080 };

describe('network planning', () => {
  it('parses CIDRs and derives the gateway and the dynos\' range', () => {
    assert.equal(cidrString(parseCidr('10.213.7.9/16')), '10.213.0.0/16');
    assert.equal(gatewayIp(net.subnet), '10.213.0.1');
    const r = dynoIpRange(parseCidr('10.9.8.0/24'));
    assert.equal(ipToString(r.first), '10.9.8.2');
    assert.equal(ipToString(r.last), '10.9.8.254');
    assert.throws(() => parseCidr('10.0.0.0'), /CIDR/);
    assert.throws(() => parseCidr('300.0.0.0/16'), /invalid/);
  });

  it('names interfaces within 15 characters and chains within 28', () => {
    const v = vethNames('my-very-long-app-name.web-12.abcdef12');
    assert.ok(v.host.length <= 15 && v.peer.length <= 15 && v.host !== v.peer);
    const c = chainNames(net);
    assert.ok(c.input.length <= 28 && c.forward.length <= 28);
    assert.notEqual(appChain(net, 'app-1'), appChain(net, 'app-2'));
    assert.notEqual(appChain(net, 'app-1'), appChain({ ...net, bridge: 'other0' }, 'app-1'));
    // Per platform instance: a killed platform's chains are never another's.
    assert.notEqual(appChain({ ...net, instance: 'aaaaaaaa' }, 'app-1'), appChain({ ...net, instance: 'bbbbbbbb' }, 'app-1'));
    assert.match(vethNames('b1', 'build').host, /^slb/);
  });

  it('plans a veth into the namespace with its address and default route', () => {
    const plan = attachPlan(net, 'c1', 'ns1', '10.213.0.5');
    assert.deepEqual(plan.host[0].slice(0, 4), ['link', 'add', vethNames('c1').host, 'type']);
    assert.ok(plan.netns.some((a) => a.join(' ') === 'addr add 10.213.0.5/16 dev eth0'));
    assert.ok(plan.netns.some((a) => a.join(' ') === 'route add default via 10.213.0.1'));
    // A reused address behind a new MAC: the host's old neighbour entry must go, or the first
    // packets to the new dyno are lost until the kernel re-checks it (seconds).
    assert.ok(plan.host.some((a) => a.join(' ') === 'neigh flush to 10.213.0.5 dev slipway0'));
    // One `ip -batch` line per command: no argument may contain a blank.
    for (const c of [...plan.host, ...plan.netns]) for (const a of c) assert.match(a, /^\S+$/);
    // No automatic IPv6 link-local address on either end (set before the links go up).
    const eth0Mode = plan.netns.findIndex((a) => a.join(' ') === 'link set eth0 addrgenmode none');
    assert.ok(eth0Mode >= 0 && eth0Mode < plan.netns.findIndex((a) => a.join(' ') === 'link set eth0 up'));
    assert.ok(plan.host.some((a) => a.join(' ') === `link set ${vethNames('c1').host} addrgenmode none`));
  });
});
