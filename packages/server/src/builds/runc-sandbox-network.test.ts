/**
 * Builds in their own network namespace (issue 18 item 2, issue 19's source fetch), with real runc
 * containers on a test bridge (skipped when runc is not usable). A stand-in for the internet: a
 * network namespace routed from the host (not on the bridge) serving HTTP on a public-style address
 * and on 169.254.169.254 (cloud metadata). From inside a build step: the internet is reachable, and
 * source URLs are fetched from there by the sandbox; a dyno of any app, the host's bridge address,
 * another host address, a host listener on `::` and the metadata address are not; the step sees its
 * own /proc/net and /sys, not the host's; no IPv6.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  attachContainer, buildChainName, cidrString, createFirewall, createNetworkLock, detachContainer, execCapture, gatewayIp, ipToString, isRuncUsable, parseCidr, removeBridge,
  type BridgeNetwork,
} from '../isolation/index.js';
import { createLogger } from '../log/index.js';
import { buildLimits, createRuncBuildSandbox } from './runc-sandbox.js';
import { createBuildNetwork } from './runc-sandbox-network.js';
import type { BuildSandbox } from './sandbox.js';
import { createWorkspace, grantWorkspace, removeWorkspace, restoreCache, type Workspace } from './workspace.js';

const usable = await isRuncUsable();
const logger = createLogger({ level: 'error', write: () => undefined });
const INSTANCE = 'b0000001';

describe('runc build sandbox: a network namespace of its own', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 180_000 }, () => {
  const t = randomBytes(3).toString('hex');
  const third = Math.floor(Math.random() * 250);
  const bridge: BridgeNetwork = { bridge: `slwb${t}`, subnet: parseCidr(`10.${200 + Math.floor(Math.random() * 50)}.${third}.0/24`), routerPort: null, instance: INSTANCE };
  // The "internet": a namespace behind a veth pair from the host, 172.31.<n>.0/30.
  const inetNs = `slwinet${t}`;
  const inetHostIf = `slwi${t}`;
  const inetIp = `172.31.${third}.2`;
  const inetGw = `172.31.${third}.1`;
  const children: ChildProcess[] = [];
  let tmp: string;
  let sandbox: BuildSandbox;
  let ws: Workspace;
  let hostServer: net.Server;
  let hostPort: number;
  const fw = createFirewall({ net: { bridge: bridge.bridge, cidr: cidrString(bridge.subnet) }, instance: INSTANCE, routerPort: null, outboundBlock: 'link-local' });
  const lock = createNetworkLock();
  const dyno = { containerId: `bdyno.${t}`, netns: `slwbd${t}`, ip: ipToString(bridge.subnet.base + 2), appId: 'some-app' };

  const ip = (...args: string[]) => execCapture('ip', args).then((r) => {
    if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  });
  const serveIn = (ns: string, port: number, body: string): Promise<void> => new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e',
      `require('node:http').createServer((q, s) => s.end(${JSON.stringify(body)})).listen(${port}, '0.0.0.0', () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });

  /** Runs node in a build step: prints `ok <status>` or the error code for each URL. */
  async function probe(urls: string[]): Promise<string[]> {
    const script = `(async () => { for (const u of process.argv.slice(1)) { try { const r = await fetch(u, { signal: AbortSignal.timeout(2000) }); console.log('ok ' + r.status); } catch (e) { console.log((e.cause && e.cause.code) || e.name); } } })()`;
    let output = '';
    const r = await sandbox.run({
      file: process.execPath, args: ['-e', script, ...urls], cwd: ws.appDir, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 60_000,
      onOutput: (c) => (output += c.toString()),
    });
    assert.equal(r.code, 0, output);
    return output.trim().split('\n');
  }

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'slipway-build-net-'));
    await mkdir(path.join(tmp, 'data'));
    const network = createBuildNetwork({ bridge: bridge.bridge, subnet: cidrString(bridge.subnet), instance: INSTANCE, outboundBlock: 'link-local', logger });
    sandbox = createRuncBuildSandbox({ logger, runDir: path.join(tmp, 'data', 'runc', 'builds'), dataDir: path.join(tmp, 'data'), limits: buildLimits(512), network, fetchTimeoutMs: 5000, idPrefix: `slipway-run-${INSTANCE}` });
    ws = await createWorkspace();
    await restoreCache(path.join(tmp, 'no-cache-yet'), ws);
    await grantWorkspace(ws, sandbox.owner);
    // The internet stand-in, with the metadata address too.
    await ip('netns', 'add', inetNs);
    await ip('link', 'add', inetHostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', inetNs);
    await ip('addr', 'add', `${inetGw}/30`, 'dev', inetHostIf);
    await ip('link', 'set', inetHostIf, 'up');
    await ip('-n', inetNs, 'addr', 'add', `${inetIp}/30`, 'dev', 'eth0');
    await ip('-n', inetNs, 'addr', 'add', '169.254.169.254/32', 'dev', 'eth0');
    await ip('-n', inetNs, 'link', 'set', 'eth0', 'up');
    await ip('-n', inetNs, 'link', 'set', 'lo', 'up');
    await ip('-n', inetNs, 'route', 'add', 'default', 'via', inetGw);
    await serveIn(inetNs, 80, 'from the internet');
    // A host listener on every address family (stands for sshd).
    hostServer = net.createServer((s) => { s.on('error', () => undefined); s.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nhost'); });
    await new Promise<void>((r) => hostServer.listen(0, '::', r));
    hostPort = (hostServer.address() as net.AddressInfo).port;
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sandbox?.close();
    await detachContainer(bridge, dyno, fw, lock).catch(() => undefined);
    await execCapture('ip', ['netns', 'del', inetNs]);
    await execCapture('ip', ['link', 'del', inetHostIf]);
    hostServer?.close();
    if (ws) await removeWorkspace(ws);
    if (tmp) await rm(tmp, { recursive: true, force: true });
    await removeBridge(bridge);
  });

  it('reaches the internet, not dynos, the host or link-local metadata', async () => {
    // The bridge exists once a build ran; then a dyno joins it with a listener.
    assert.deepEqual(await probe([`http://${inetIp}/`]), ['ok 200']);
    await attachContainer(bridge, dyno, fw, lock);
    await serveIn(dyno.netns, 5000, 'dyno');
    const hostOther = (await execCapture('ip', ['-4', '-o', 'addr', 'show', 'scope', 'global'])).stdout.split('\n')
      .map((l) => /inet (\S+)\//.exec(l)?.[1]).find((a) => a && a !== gatewayIp(bridge.subnet) && !a.startsWith('172.31.') && !a.startsWith('10.2'));
    const urls = [
      `http://${inetIp}/`, `http://${dyno.ip}:5000/`, `http://${gatewayIp(bridge.subnet)}:${hostPort}/`, `http://${inetGw}:${hostPort}/`,
      `http://127.0.0.1:${hostPort}/`, 'http://169.254.169.254/', `http://[::1]:${hostPort}/`,
      ...(hostOther ? [`http://${hostOther}:${hostPort}/`] : []),
    ];
    const got = await probe(urls);
    assert.equal(got[0], 'ok 200', got.join('\n'));
    for (let i = 1; i < urls.length; i++) assert.doesNotMatch(got[i], /^ok/, `${urls[i]} must not be reachable from a build: ${got[i]}`);
  });

  it('sees its own /proc/net and /sys, no IPv6 address', async () => {
    let output = '';
    const r = await sandbox.run({
      file: '/bin/sh', args: ['-c', 'cat /proc/net/dev; echo ---; ls /sys/class/net; echo ---; cat /proc/net/if_inet6 2>/dev/null; true'],
      cwd: ws.appDir, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 60_000, onOutput: (c) => (output += c.toString()),
    });
    assert.equal(r.code, 0, output);
    const [dev, sys, six] = output.split('---\n');
    assert.doesNotMatch(dev, new RegExp(bridge.bridge), 'the host\'s interfaces are not listed');
    assert.match(dev, /eth0/);
    assert.deepEqual(sys.trim().split(/\s+/).sort(), ['eth0', 'lo']);
    assert.equal(six.trim(), '');
  });

  it('fetches a source URL inside the build network, and refuses one the build cannot reach', async () => {
    const ok = await sandbox.fetchSource!(`http://${inetIp}/`);
    let body = '';
    for await (const c of ok.stream) body += String(c);
    await ok.done;
    assert.equal(body, 'from the internet');
    // The platform's own listener: the platform could fetch it, the build network cannot.
    const refused = await sandbox.fetchSource!(`http://${gatewayIp(bridge.subnet)}:${hostPort}/`);
    refused.stream.on('error', () => undefined).resume();
    await assert.rejects(refused.done, /Could not fetch source_blob.url/);
  });

  it('leaves no build namespace, veth or rule behind, and drops its chain when the sandbox closes', async () => {
    const save = () => execCapture('iptables-save', ['-t', 'filter']).then((r) => r.stdout);
    assert.doesNotMatch(await save(), /--physdev-in slb[0-9a-f]{8}/);
    assert.doesNotMatch((await execCapture('ip', ['netns', 'list'])).stdout, new RegExp(`slipway-run-${INSTANCE}`));
    const chain = buildChainName(bridge.bridge, INSTANCE);
    assert.match(await save(), new RegExp(`:${chain} `));
    await sandbox.close();
    assert.doesNotMatch(await save(), new RegExp(`:${chain} `));
  });
});
