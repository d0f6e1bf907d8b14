/**
 * Test kit for the swarm driver until the multi-node harness (test/helpers/swarm-cluster.ts) and
 * the release images (swarm/images.ts) land: a one-node Swarm made here, as root, from real parts:
 *
 * - a network namespace joined to a test bridge of its own (a random 10.78.x.0/24; the host side .1
 *   is the "advertise address"), a `dockerd` started in it with `nsenter --net` (own data-root,
 *   exec-root, socket, containerd namespace; `--insecure-registry` for the test registry), `docker
 *   swarm init` through the Engine API;
 * - Debian's `docker-registry` listening on the bridge's host address;
 * - a stack image imported from the host's own files (sh, cat, sleep, node and their libraries),
 *   and one image per release built by the node's dockerd (`FROM stack` + `ADD slug.tgz /`, which
 *   unpacks it at /app) and pushed to the registry, so the service pulls it as a real node would.
 *
 * `skipReason()` says why it cannot run here (not root, no dockerd, no docker-registry).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { ReleaseImageSource } from './swarm-driver.js';

export interface SwarmFixture {
  docker: Docker;
  dockerHost: string;
  advertiseAddr: string;
  nodeAddr: string;
  images: ReleaseImageSource;
  stop(): Promise<void>;
}

function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'which', bin], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function swarmSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, dockerd)';
  if (!which('dockerd')) return 'dockerd is not installed (apt-get install docker.io)';
  if (!which('docker-registry')) return 'docker-registry is not installed (apt-get install docker-registry)';
  if (!which('nsenter') || !which('ip')) return 'nsenter/ip are not installed';
  return undefined;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
}

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Follows a push/build progress stream to its end; rejects on an error message in it. */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
      const bad = out?.find((o) => o.error);
      if (err || bad) reject(err ?? new Error(bad?.error));
      else resolve();
    });
  });
}

async function stackRootfs(dir: string): Promise<void> {
  const bins = ['/bin/dash', '/usr/bin/cat', '/usr/bin/sleep', '/usr/bin/true', '/usr/bin/env', '/usr/bin/ls', process.execPath];
  await mkdir(path.join(dir, 'usr/bin'), { recursive: true });
  for (const d of ['tmp', 'app', 'etc', 'proc', 'sys', 'dev']) await mkdir(path.join(dir, d), { recursive: true });
  const libs = new Set<string>();
  for (const b of bins) {
    await copyFile(b, path.join(dir, 'usr/bin', b === process.execPath ? 'node' : path.basename(b)));
    const ldd = spawnSync('ldd', [b], { encoding: 'utf8' }).stdout;
    for (const m of ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g)) libs.add(m[1]);
  }
  for (const lib of libs) {
    await mkdir(path.join(dir, path.dirname(lib)), { recursive: true });
    await copyFile(lib, path.join(dir, lib));
  }
  await symlink('dash', path.join(dir, 'usr/bin/sh'));
  await symlink('usr/bin', path.join(dir, 'bin'));
  await writeFile(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
}

export async function startSwarmFixture(): Promise<SwarmFixture> {
  const id = randomBytes(2).toString('hex');
  const ns = `slwsw${id}`;
  const bridge = `slwsw${id}b`;
  const veth = `slwsw${id}v`;
  const subnet = 100 + (parseInt(id, 16) % 150);
  const advertiseAddr = `10.78.${subnet}.1`;
  const nodeAddr = `10.78.${subnet}.2`;
  const registryAddr = `${advertiseAddr}:5016`;
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-swarm-'));
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try { await c(); } catch { /* best effort: undo the rest */ }
    }
  };
  try {
    run('ip', ['netns', 'add', ns]);
    cleanups.push(() => run('ip', ['netns', 'del', ns]));
    run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    cleanups.push(() => run('ip', ['link', 'del', bridge]));
    run('ip', ['addr', 'add', `${advertiseAddr}/24`, 'dev', bridge]);
    run('ip', ['link', 'set', bridge, 'up']);
    run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}p`]);
    run('ip', ['link', 'set', veth, 'master', bridge, 'up']);
    run('ip', ['link', 'set', `${veth}p`, 'netns', ns]);
    run('ip', ['-n', ns, 'addr', 'add', `${nodeAddr}/24`, 'dev', `${veth}p`]);
    run('ip', ['-n', ns, 'link', 'set', `${veth}p`, 'up']);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', ns, 'route', 'add', 'default', 'via', advertiseAddr]);

    const regConf = path.join(dir, 'registry.yml');
    await writeFile(regConf, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'registry')}\nhttp:\n  addr: ${registryAddr}\n`);
    const reg = spawn('docker-registry', ['serve', regConf], { stdio: 'ignore' });
    children.push(reg);
    cleanups.push(() => { reg.kill('SIGTERM'); });

    const sock = path.join(dir, 'docker.sock');
    const dockerd = spawn('nsenter', [`--net=/run/netns/${ns}`, 'dockerd',
      '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'docker.pid'),
      '-H', `unix://${sock}`, '--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}p`,
      '--bridge=none', '--insecure-registry', registryAddr], { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
    children.push(dockerd);
    cleanups.push(async () => {
      const pid = Number(await readFile(path.join(dir, 'docker.pid'), 'utf8').catch(() => '0'));
      if (pid) process.kill(pid, 'SIGTERM');
      await until('dockerd to stop', 20_000, async () => (existsSync(path.join(dir, 'docker.pid')) ? undefined : true)).catch(() => {
        if (pid) process.kill(pid, 'SIGKILL');
      });
      // dockerd leaves its bind mount of the node's netns (exec/netns/default): unmount everything
      // under the fixture's dir, or the netns and its veth outlive the test.
      const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(`${dir}/`));
      for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
      await rm(dir, { recursive: true, force: true });
    });
    const docker = new Docker({ socketPath: sock });
    await until('dockerd', 30_000, async () => (await docker.ping()) && true);
    await docker.swarmInit({ ListenAddr: `${nodeAddr}:2377`, AdvertiseAddr: nodeAddr });
    cleanups.push(async () => { await docker.swarmLeave({ force: true }); });

    const rootfs = path.join(dir, 'rootfs');
    await stackRootfs(rootfs);
    const stackTar = path.join(dir, 'stack.tar');
    run('tar', ['-cf', stackTar, '-C', rootfs, '.']);
    const stack = `${registryAddr}/slipway-test/stack:1`;
    await followProgress(docker, await docker.importImage(createReadStream(stackTar) as unknown as string, { repo: `${registryAddr}/slipway-test/stack`, tag: '1' }));
    await until('the registry', 10_000, async () => ((await fetch(`http://${registryAddr}/v2/`)).ok ? true : undefined));
    await followProgress(docker, await docker.getImage(stack).push({ authconfig: { username: '', password: '', serveraddress: registryAddr } }));

    const built = new Map<string, Promise<string>>();
    const images: ReleaseImageSource = {
      imageFor({ appId, releaseVersion, slugPath }) {
        if (!slugPath) return Promise.resolve(stack);
        const key = `${appId}:${releaseVersion}:${slugPath}`;
        let p = built.get(key);
        if (!p) {
          p = (async () => {
            const ctx = await mkdtemp(path.join(dir, 'ctx-'));
            await copyFile(slugPath, path.join(ctx, 'slug.tgz'));
            await writeFile(path.join(ctx, 'Dockerfile'), `FROM ${stack}\nADD slug.tgz /\n`);
            const tag = `${registryAddr}/slipway-test/${appId.toLowerCase().replace(/[^a-z0-9]/g, '')}:v${releaseVersion}-${built.size}`;
            const ctxTar = path.join(dir, `${path.basename(ctx)}.tar`);
            run('tar', ['-cf', ctxTar, '-C', ctx, '.']);
            await followProgress(docker, await docker.buildImage(createReadStream(ctxTar), { t: tag }));
            await followProgress(docker, await docker.getImage(tag).push({ authconfig: { username: '', password: '', serveraddress: registryAddr } }));
            return tag;
          })();
          built.set(key, p);
        }
        return p;
      },
    };
    return { docker, dockerHost: `unix://${sock}`, advertiseAddr, nodeAddr, images, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
