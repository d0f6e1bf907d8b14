import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addonAccept, appChainName, attachLines, detachLines, blockedRanges, bridgeChains, chainTail, dynoAccept, dynoJump, newAppChainLines, parseSave, reconcilePlan, restoreScript,
  routerRule, type SavedTable,
} from './firewall.js';

const net = { bridge: 'slipway0', cidr: '10.213.0.0/16' };
const I = 'abcd0001';
const c = bridgeChains('slipway0');

/** An iptables-save of the given `-A` lines (chains declared). */
function save(lines: string[]): SavedTable {
  const chains = new Set(lines.map((l) => l.split(' ')[1]));
  return parseSave(['*filter', ...[...chains].map((x) => `:${x} - [0:0]`), ...lines, 'COMMIT'].join('\n'));
}
const a = (chain: string, words: string[]) => `-A ${chain} ${words.map((w) => (w.includes(':') && w.startsWith('slw') ? `"${w}"` : w)).join(' ')}`;

describe('firewall plans', () => {
  it('matches a dyno by its veth and address, ends every app chain with DROP', () => {
    const chain = appChainName('slipway0', I, 'app-1');
    const jump = dynoJump(net, I, 'slw0001', '10.213.0.5', chain);
    assert.deepEqual(jump.slice(jump.indexOf('--physdev-in'), jump.indexOf('--physdev-in') + 2), ['--physdev-in', 'slw0001']);
    assert.ok(jump.includes('10.213.0.5/32') && jump.includes(`slw:${I}`));
    assert.ok(dynoAccept(net, I, 'slw0001', '10.213.0.5').includes('--physdev-out'));
    const tail = chainTail(net, I, 'link-local');
    assert.deepEqual(tail.at(-1)!.slice(-2), ['-j', 'DROP']);
    assert.ok(tail.some((r) => r.includes('169.254.0.0/16') && r.at(-1) === 'DROP'));
    assert.ok(!chainTail(net, I, 'none').some((r) => r.includes('169.254.0.0/16')));
    assert.ok(chainTail(net, I, 'private').some((r) => r.includes('10.0.0.0/8')));
    // The resolver dynos are given stays reachable on port 53 (before the block), and only there.
    const priv = chainTail(net, I, 'private', ['10.255.255.53', '2001:db8::1']);
    const dns = priv.findIndex((r) => r.includes('10.255.255.53/32') && r.includes('53') && r.at(-1) === 'ACCEPT');
    assert.ok(dns >= 0 && dns < priv.findIndex((r) => r.includes('10.0.0.0/8')));
    assert.equal(priv.filter((r) => r.includes('10.255.255.53/32')).length, 2);
    assert.ok(!priv.some((r) => r.includes('2001:db8::1/32')));
    assert.deepEqual(blockedRanges('link-local'), ['169.254.0.0/16']);
    // A new chain is declared (restore creates it), then the dyno opened in one script.
    const script = restoreScript([...newAppChainLines(net, I, chain, 'link-local'), ...attachLines(net, I, { veth: 'slw0001', ip: '10.213.0.5', chain })]);
    assert.match(script, new RegExp(`^\\*filter\\n:${chain} - \\[0:0\\]`));
    assert.match(script, new RegExp(`-I ${c.forward} 2 `));
    assert.match(script, /COMMIT\n$/);
  });

  it('reconcile keeps live veths\' jumps and live platforms\' router rules, removes the rest', () => {
    const mine = appChainName('slipway0', I, 'app-1');
    const dead = appChainName('slipway0', 'dddd0001', 'app-2');
    const other = 'SLW-APP-0ther000';
    const saved = save([
      a(c.input, ['-i', 'slipway0', '-p', 'tcp', '--dport', '9000', '-m', 'comment', '--comment', 'slw:aaaa0001:router', '-j', 'ACCEPT']),
      a(c.input, ['-i', 'slipway0', '-p', 'tcp', '--dport', '9001', '-m', 'comment', '--comment', 'slw:dddd0001:router', '-j', 'ACCEPT']),
      a(c.forward, dynoJump(net, I, 'slwlive', '10.213.0.2', mine)),
      a(c.forward, dynoJump(net, 'dddd0001', 'slwgone', '10.213.0.3', dead)),
      // An old-style jump by address only (before physdev matching): stale by definition.
      a(c.forward, ['-s', '10.213.0.4/32', '-i', 'slipway0', '-o', 'slipway0', '-j', mine]),
      a(mine, dynoAccept(net, I, 'slwlive', '10.213.0.2')),
      a(mine, dynoAccept(net, I, 'slwgone2', '10.213.0.9')),
      a(dead, dynoAccept(net, 'dddd0001', 'slwgone', '10.213.0.3')),
      // Another bridge's chain: never touched.
      a(other, ['-d', '10.9.0.2/32', '-o', 'otherbr', '-j', 'ACCEPT']),
    ]);
    const plan = reconcilePlan({ net, instance: I, routerPort: 8080, saved, links: new Set(['slwlive', 'slipway0']), liveInstances: new Set([I, 'aaaa0001']) });
    const lines = plan.script.split('\n');
    assert.ok(lines.includes(`-F ${c.forward}`) && lines.includes(`-F ${c.input}`));
    assert.ok(lines.some((l) => l.startsWith(`-A ${c.forward}`) && l.includes('slwlive')));
    assert.ok(!lines.some((l) => l.includes('slwgone ') || l.endsWith('slwgone')));
    assert.ok(!lines.some((l) => l.startsWith(`-A ${c.forward} -s 10.213.0.4/32`)));
    assert.ok(lines.some((l) => l.includes('--dport 9000')));
    assert.ok(!lines.some((l) => l.includes('--dport 9001')));
    assert.ok(lines.some((l) => l.includes('--dport 8080') && l.includes(`slw:${I}:router`)));
    assert.ok(lines.includes(`-X ${dead}`));
    assert.ok(lines.some((l) => l.startsWith(`-D ${mine}`) && l.includes('slwgone2')));
    assert.ok(!lines.includes(`-X ${mine}`));
    assert.ok(!lines.some((l) => l.includes(other)));
    // The bridge chains end with DROP whatever was there before.
    const fwdLines = lines.filter((l) => l.startsWith(`-A ${c.forward}`));
    assert.match(fwdLines.at(-1)!, /-j DROP$/);
    assert.match(lines.filter((l) => l.startsWith(`-A ${c.input}`)).at(-1)!, /-j DROP$/);
    assert.ok(plan.removed >= 4, String(plan.removed));
    assert.deepEqual(routerRule(net, I, 8080).slice(-2), ['-j', 'ACCEPT']);
  });

  it('opens an app\'s add-on ports to one dyno on the input chain (before its DROP), and closes them with it', () => {
    const chain = appChainName('slipway0', I, 'app-1');
    const d = { veth: 'slw0001', ip: '10.213.0.5', chain, ports: [54321, 54400] };
    const open = attachLines(net, I, d);
    const inputs = open.filter((l) => l.startsWith(`-I ${c.input} 3 `));
    assert.equal(inputs.length, 2);
    for (const [i, port] of [54321, 54400].entries()) {
      assert.ok(inputs[i].includes(`--dport ${port}`) && inputs[i].includes('--physdev-in slw0001') && inputs[i].includes('-s 10.213.0.5/32') && inputs[i].endsWith('-j ACCEPT'), inputs[i]);
    }
    assert.equal(attachLines(net, I, { ...d, ports: [] }).filter((l) => l.includes(c.input)).length, 0, 'no attachment, no port');
    const close = detachLines(net, I, d);
    assert.equal(close.filter((l) => l.startsWith(`-D ${c.input} `) && l.includes('--dport')).length, 2);
    // reconcile keeps the accepts of live veths of live instances, drops the others
    const saved = save([
      a(c.input, addonAccept(net, I, 'slwlive', '10.213.0.2', 54321)),
      a(c.input, addonAccept(net, I, 'slwgone', '10.213.0.3', 54321)),
      a(c.input, addonAccept(net, 'dddd0001', 'slwdead', '10.213.0.4', 54321)),
    ]);
    const plan = reconcilePlan({ net, instance: I, routerPort: 8080, saved, links: new Set(['slwlive', 'slwdead']), liveInstances: new Set([I]) });
    const inputLines = plan.script.split('\n').filter((l) => l.startsWith(`-A ${c.input}`));
    assert.ok(inputLines.some((l) => l.includes('slwlive') && l.includes('--dport 54321')));
    assert.ok(!inputLines.some((l) => l.includes('slwgone') || l.includes('slwdead')));
    assert.ok(inputLines.findIndex((l) => l.includes('slwlive')) < inputLines.length - 1, 'before the DROP');
    assert.match(inputLines.at(-1)!, /-j DROP$/);
    assert.ok(plan.removed >= 2);
  });
});
