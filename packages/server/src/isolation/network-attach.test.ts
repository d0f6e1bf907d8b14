/**
 * attachContainer/detachContainer on a real bridge (root and iproute2 needed, else skipped): a
 * dyno address reused behind a new veth (a new MAC) answers at once. Before the neighbour entry
 * was flushed, the host kept sending to the old MAC and a connect hung for seconds (the router's
 * 5 s connect timeout, seen as 5 s dyno starts in the benchmark). Fails without the flush.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { execCapture } from './exec.js';
import { createFirewall } from './firewall-apply.js';
import { bridgeChains } from './firewall.js';
import { appChain, attachContainer, bridgeMac, cidrString, createDynoOpener, createNetworkLock, detachContainer, ensureBridge, parseCidr, removeBridge, type BridgeNetwork } from './network.js';

const isRoot = process.getuid?.() === 0;
const hasIp = isRoot && (await execCapture('ip', ['-V']).then((r) => r.code === 0, () => false));
const hasIptables = hasIp && (await execCapture('iptables', ['-w', '10', '-S', 'INPUT']).then((r) => r.code === 0, () => false));
const skip = !hasIptables ? 'needs root, iproute2 and iptables' : false;

const tag = randomBytes(3).toString('hex');
const network: BridgeNetwork = {
  bridge: `slwn${tag}`,
  subnet: parseCidr(`10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`),
  routerPort: null,
};
const fw = createFirewall({ net: { bridge: network.bridge, cidr: cidrString(network.subnet) }, instance: 'aaaa0001', routerPort: null, outboundBlock: 'link-local' });
const ip = `${(network.subnet.base >>> 24) & 255}.${(network.subnet.base >>> 16) & 255}.${(network.subnet.base >>> 8) & 255}.2`;

function listenIn(netns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e',
    "require('node:net').createServer((s) => s.end('hi')).listen(5000, () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
  });
}

function connectMs(host: string, port: number, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error(`connect to ${host}:${port} hung for ${timeoutMs} ms`));
    });
    s.once('connect', () => {
      s.destroy();
      resolve(performance.now() - t0);
    });
    s.once('error', reject);
  });
}

describe('dyno network attachment (real bridge)', { skip }, () => {
  const children: ChildProcess[] = [];
  const attached: { containerId: string; netns: string; ip: string; appId: string }[] = [];
  const lock = createNetworkLock();
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const a of attached) await detachContainer(network, a, fw, lock).catch(() => {});
    await removeBridge(network);
  });

  it('gives the bridge a fixed MAC', async () => {
    await ensureBridge(network, fw);
    const show = await execCapture('ip', ['-o', 'link', 'show', 'dev', network.bridge]);
    assert.match(show.stdout, new RegExp(`link/ether ${bridgeMac(network.bridge)} `));
  });

  it('dynos opened together share one restore; a refused one fails alone', async () => {
    await ensureBridge(network, fw);
    const fwd = bridgeChains(network.bridge).forward;
    const rulesOf = async () => (await execCapture('iptables', ['-w', '10', '-S', fwd])).stdout;
    const dyno = (n: number, app: string, ports?: number[]) => ({ veth: `slwb${tag}${n}`, ip: ip.replace(/\.2$/, `.${40 + n}`), chain: appChain(network, app), ports });
    // Two apps (one new chain each, declared once), and one dyno asking for a port iptables refuses.
    const good = [dyno(1, `a-${tag}`), dyno(2, `a-${tag}`), dyno(3, `b-${tag}`)];
    const bad = dyno(4, `a-${tag}`, [70000]);
    const results = await fw.openDynos([good[0], good[1], bad, good[2]]);
    try {
      assert.deepEqual(results.map((r) => r === null), [true, true, false, true]);
      const rules = await rulesOf();
      for (const d of good) assert.match(rules, new RegExp(`-s ${d.ip.replace(/\./g, '\\.')}/32 .*--physdev-in ${d.veth} .*-j ${d.chain}`));
      assert.doesNotMatch(rules, new RegExp(bad.veth));
      // Through the batching opener: ten at once, every one's rules there.
      const opener = createDynoOpener(fw, lock);
      const ten = Array.from({ length: 10 }, (_, i) => dyno(10 + i, `a-${tag}`));
      await Promise.all(ten.map((d) => opener(d)));
      const after = await rulesOf();
      for (const d of ten) assert.match(after, new RegExp(`--physdev-in ${d.veth} `));
      for (const d of ten) await fw.closeDyno(d);
    } finally {
      for (const d of good) await fw.closeDyno(d).catch(() => {});
    }
    assert.doesNotMatch(await rulesOf(), new RegExp(`slwb${tag}`));
  });

  it('a reused address behind a new veth answers at once (no stale neighbour entry)', async () => {
    // Another dyno stays on the bridge (as on a real host), so the bridge keeps its carrier: losing
    // it would make the kernel flush its neighbour entries and hide the problem.
    const keeper = { containerId: `t${tag}-k`, netns: `slwt${tag}k`, ip: ip.replace(/\.2$/, '.9'), appId: `app-${tag}` };
    await attachContainer(network, keeper, fw, lock);
    attached.push(keeper);
    for (const round of [1, 2]) {
      const a = { containerId: `t${tag}-${round}`, netns: `slwt${tag}${round}`, ip, appId: `app-${tag}` };
      await attachContainer(network, a, fw, lock);
      attached.push(a);
      const listener = await listenIn(a.netns);
      children.push(listener);
      // The first round fills the host's neighbour table with this veth's MAC.
      const ms = await connectMs(ip, 5000, 2000);
      assert.ok(ms < 2000);
      listener.kill('SIGKILL');
      await new Promise((r) => listener.once('exit', r));
      await detachContainer(network, a, fw, lock);
      attached.splice(attached.indexOf(a), 1);
    }
  });
});
