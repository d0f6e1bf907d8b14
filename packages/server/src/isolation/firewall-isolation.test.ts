/**
 * The firewall on a real bridge with real network namespaces (root, iproute2, iptables; else
 * skipped): same-app dynos reach each other, another app's do not; nothing reaches the host but
 * the router port; no IPv6 address anywhere on the bridge; a build namespace reaches neither dynos
 * nor the host; and the stale-rule case of issue 18: a platform killed with its rules and one dyno
 * namespace left behind, another platform reusing the dead dyno's address for another app: no access.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { execCapture } from './exec.js';
import { createFirewall, type Firewall } from './firewall-apply.js';
import { bridgeChains, routerTag } from './firewall.js';
import { attachContainer, cidrString, createNetworkLock, detachContainer, ensureBridge, gatewayIp, ipToString, parseCidr, removeBridge, vethNames, type AttachOptions, type BridgeNetwork } from './network.js';

const isRoot = process.getuid?.() === 0;
const hasTools = isRoot && (await execCapture('iptables', ['-w', '10', '-S', 'INPUT']).then((r) => r.code === 0, () => false));
const skip = hasTools ? false : 'needs root, iproute2 and iptables';

const t = randomBytes(3).toString('hex');
const network: BridgeNetwork = { bridge: `slwf${t}`, subnet: parseCidr(`10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`), routerPort: null };
const addr = (n: number) => ipToString(network.subnet.base + n);
const fwOf = (instance: string, routerPort: number | null): Firewall =>
  createFirewall({ net: { bridge: network.bridge, cidr: cidrString(network.subnet) }, instance, routerPort, outboundBlock: 'link-local' });

const PORT = 5000;

function listenIn(netns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e',
    `require('node:net').createServer((s) => { s.on('error', () => {}); s.end('hi'); }).listen(${PORT}, '0.0.0.0', () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
  });
}

/** Connects from inside `netns`: 'ok' or the error code (a dropped SYN times out). */
async function connectFrom(netns: string, host: string, port: number): Promise<string> {
  const script = `const s=require('node:net').connect({host:${JSON.stringify(host)},port:${port}});s.setTimeout(1500,()=>{console.log('TIMEOUT');process.exit(0)});s.on('connect',()=>{console.log('ok');process.exit(0)});s.on('error',(e)=>{console.log(e.code);process.exit(0)})`;
  const r = await execCapture('ip', ['netns', 'exec', netns, process.execPath, '-e', script]);
  return r.stdout.trim() || r.stderr.trim();
}

describe('dyno firewall (real bridge and namespaces)', { skip, timeout: 120_000 }, () => {
  const lock = createNetworkLock();
  const children: ChildProcess[] = [];
  const made: { opts: AttachOptions; fw: Firewall }[] = [];
  let hostServer: net.Server;
  let hostPort: number;
  const fwA = fwOf('f1000001', 18080);
  const dyno = (name: string, n: number, appId: string): AttachOptions => ({ containerId: `${name}.${t}`, netns: `slwt${t}${name}`, ip: addr(n), appId });
  const attach = async (opts: AttachOptions, fw: Firewall) => {
    await attachContainer(network, opts, fw, lock);
    made.push({ opts, fw });
  };

  before(async () => {
    await ensureBridge(network, fwA);
    // A host service on every address family (stands for sshd): `::` is dual-stack.
    hostServer = net.createServer((s) => { s.on('error', () => undefined); s.end('host'); });
    await new Promise<void>((r) => hostServer.listen(0, '::', r));
    hostPort = (hostServer.address() as net.AddressInfo).port;
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const m of made) await detachContainer(network, m.opts, m.fw, lock).catch(() => undefined);
    hostServer?.close();
    await removeBridge(network);
  });

  it('same app: reachable; other app: dropped; host: only the router port; no IPv6 addresses', async () => {
    const a1 = dyno('a1', 2, 'app-a');
    const a2 = dyno('a2', 3, 'app-a');
    const b1 = dyno('b1', 4, 'app-b');
    for (const d of [a1, a2, b1]) await attach(d, fwA);
    children.push(await listenIn(a1.netns), await listenIn(b1.netns));
    assert.equal(await connectFrom(a2.netns, a1.ip, PORT), 'ok');
    assert.equal(await connectFrom(b1.netns, a1.ip, PORT), 'TIMEOUT');
    assert.equal(await connectFrom(a1.netns, b1.ip, PORT), 'TIMEOUT');
    // The host: its address on the bridge and any other of its addresses.
    assert.equal(await connectFrom(a1.netns, gatewayIp(network.subnet), hostPort), 'TIMEOUT');
    const other = (await execCapture('ip', ['-4', '-o', 'addr', 'show', 'scope', 'global'])).stdout.split('\n')
      .map((l) => /inet (\S+)\//.exec(l)?.[1]).find((ip) => ip && !ip.startsWith(addr(0).replace(/\.0$/, '.')));
    if (other) assert.equal(await connectFrom(a1.netns, other, hostPort), 'TIMEOUT');
    // The host reaches dynos (the router does).
    await new Promise<void>((resolve, reject) => {
      const sock = net.connect({ host: a1.ip, port: PORT });
      sock.once('connect', () => { sock.destroy(); resolve(); }).once('error', reject);
    });
    // IPv6: no address on the dyno's eth0, its bridge port or the bridge; ip6tables drops the rest.
    for (const [ns, dev] of [[a1.netns, 'eth0']] as const) {
      const six = await execCapture('ip', ['-n', ns, '-6', 'addr', 'show', 'dev', dev]);
      assert.doesNotMatch(six.stdout, /inet6/, six.stdout);
    }
    for (const dev of [network.bridge, vethNames(a1.containerId).host]) {
      const six = await execCapture('ip', ['-6', 'addr', 'show', 'dev', dev]);
      assert.doesNotMatch(six.stdout, /inet6/, `${dev}: ${six.stdout}`);
    }
    const v6 = await execCapture('ip6tables-save', ['-t', 'filter']);
    assert.match(v6.stdout, new RegExp(`-A FORWARD -i ${network.bridge} -j ${bridgeChains(network.bridge).ip6}`));
    assert.match(v6.stdout, new RegExp(`-A ${bridgeChains(network.bridge).ip6} -j DROP`));
  });

  it('a build namespace reaches no dyno and not the host', async () => {
    const a1 = made.find((m) => m.opts.containerId.startsWith('a1.'))!.opts;
    const build: AttachOptions = { containerId: `build.${t}`, netns: `slwt${t}bld`, ip: addr(20), appId: '', kind: 'build' };
    await attach(build, fwA);
    assert.equal(await connectFrom(build.netns, a1.ip, PORT), 'TIMEOUT');
    assert.equal(await connectFrom(build.netns, gatewayIp(network.subnet), hostPort), 'TIMEOUT');
    assert.equal(await connectFrom(build.netns, gatewayIp(network.subnet), 18080), 'TIMEOUT');
  });

  it('keeps every live platform\'s router-port rule, drops a dead one\'s', async () => {
    const fwB = fwOf('f1000002', 18081);
    await fwB.reconcile(new Set(['f1000001', 'f1000002']));
    await fwA.reconcile(new Set(['f1000001', 'f1000002']));
    const input = (await execCapture('iptables', ['-w', '10', '-S', bridgeChains(network.bridge).input])).stdout;
    assert.match(input, new RegExp(`--dport 18080 .*${routerTag('f1000001')}`));
    assert.match(input, new RegExp(`--dport 18081 .*${routerTag('f1000002')}`));
    assert.match(input.trim().split('\n').at(-1)!, /-j DROP$/);
    await fwA.reconcile(new Set(['f1000001'])); // f1000002 died
    const after2 = (await execCapture('iptables', ['-w', '10', '-S', bridgeChains(network.bridge).input])).stdout;
    assert.doesNotMatch(after2, /--dport 18081/);
    assert.match(after2, /--dport 18080/);
  });

  it('a killed platform\'s rules give a reused address no access (stale-rule reuse)', async () => {
    // Platform X (then SIGKILLed): app-x dynos at .30 and .31; .31's namespace survives it.
    const fwX = fwOf('f10000aa', null);
    const x1 = dyno('x1', 30, 'app-x');
    const x2 = dyno('x2', 31, 'app-x');
    await attach(x1, fwX);
    await attach(x2, fwX);
    children.push(await listenIn(x2.netns));
    assert.equal(await connectFrom(x1.netns, x2.ip, PORT), 'ok');
    // x1's namespace is deleted without its rules (cleanup of a deleted data dir, or a reboot of it).
    await execCapture('ip', ['netns', 'del', x1.netns]);
    made.splice(made.findIndex((m) => m.opts === x1), 1);
    // Platform Y starts on the same bridge and gives x1's address to a dyno of another app.
    const fwY = fwOf('f10000bb', null);
    const { removed } = await fwY.reconcile(new Set(['f10000bb', 'f1000001']));
    assert.ok(removed >= 2, `stale rules removed: ${removed}`);
    const y1 = dyno('y1', 30, 'app-y');
    await attach(y1, fwY);
    assert.equal(await connectFrom(y1.netns, x2.ip, PORT), 'TIMEOUT');
    // No rule mentions x1's veth any more.
    const save = (await execCapture('iptables-save', ['-t', 'filter'])).stdout;
    assert.doesNotMatch(save, new RegExp(vethNames(x1.containerId).host));
  });
});
