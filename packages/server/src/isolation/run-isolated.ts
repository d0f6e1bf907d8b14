/**
 * A one-shot isolated command (builds): a throwaway bundle with the same isolation as a dyno
 * (namespaces, unprivileged user, no capabilities, seccomp, read-only stack, generated /etc,
 * cgroup limits), the caller's binds, `runc run` in the foreground with stdio piped to
 * `onOutput`, a time limit after which every process in it is killed; the bundle is removed after.
 * Writable binds must be writable by `user` (the caller chowns them). The rootfs and `/etc` live on
 * a small tmpfs of the bundle's, so the container's `/proc/self/mountinfo` shows `/rootfs` and
 * `/etc` of that tmpfs, not the path of the platform's data dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { detectCgroupVersion, ensureParentCpuWeight } from './cgroups.js';
import { hostHasIpv6 } from './firewall-apply.js';
import { buildOciSpec, DYNO_USER, type BindMount, type ContainerLimits, type ContainerUser } from './oci-spec.js';
import { hostNameservers, prepareRootfs, probeHostEntries, writeEtc } from './rootfs.js';
import { execCapture } from './exec.js';
import { createRunc } from './runc.js';

/** Size of the tmpfs holding a one-shot container's rootfs mount points and generated `/etc`. */
const BUNDLE_TMPFS = '16m';

export interface RunIsolatedOptions {
  /** runc's state directory (`--root`). */
  stateDir: string;
  /** A directory the bundle is created under (removed after). */
  workDir: string;
  binds: BindMount[];
  /** A directory to mount at `/app` (read-write bind), if any. */
  appDir?: string;
  cmd: string[];
  env: Record<string, string>;
  cwd: string;
  user?: ContainerUser;
  limits: ContainerLimits;
  timeoutMs: number;
  /** `host` shares the host's network; `none` has loopback only; `{ netnsPath }` joins a namespace made with `ip netns` (builds: builds/runc-sandbox-network.ts). */
  network?: 'none' | 'host' | { netnsPath: string };
  /** The container id (default `slipway-run-<random>`); its cgroup is `/slipway/<id>`. */
  id?: string;
  hostname?: string;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

export async function runIsolated(opts: RunIsolatedOptions): Promise<{ exitCode: number | null; timedOut: boolean }> {
  const id = opts.id ?? `slipway-run-${randomBytes(6).toString('hex')}`;
  const bundle = path.join(opts.workDir, id);
  const user = opts.user ?? DYNO_USER;
  const hostname = opts.hostname ?? 'build';
  const network = opts.network ?? 'none';
  const runc = createRunc({ stateDir: opts.stateDir });
  const scratch = path.join(bundle, 'scratch');
  await mkdir(scratch, { recursive: true, mode: 0o711 });
  let mounted = false;
  try {
    const m = await execCapture('mount', ['-t', 'tmpfs', '-o', `size=${BUNDLE_TMPFS},mode=0711,nosuid,nodev`, 'slipway-build', scratch]);
    if (m.code !== 0) throw new Error(`could not mount the build container's tmpfs: ${m.stderr.trim()}`);
    mounted = true;
    const rootfs = path.join(scratch, 'rootfs');
    const etcDir = path.join(scratch, 'etc');
    const hostEntries = await probeHostEntries();
    await prepareRootfs(rootfs, hostEntries);
    const etcBinds = await writeEtc(etcDir, {
      hostname,
      user: { uid: user.uid, gid: user.gid, name: 'dyno', home: opts.appDir ? '/app' : '/tmp' },
      hosts: [],
      nameservers: await hostNameservers(),
    });
    const spec = buildOciSpec({
      hostname,
      args: opts.cmd,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: opts.appDir ? '/app' : '/tmp', ...opts.env },
      cwd: opts.cwd,
      user,
      rootfs,
      hostEntries,
      etcDir,
      binds: [...etcBinds, ...opts.binds],
      app: opts.appDir ? { kind: 'bind', source: opts.appDir, readonly: false } : null,
      tmpfsBytes: Math.min(opts.limits.memoryBytes, 1024 * 1024 * 1024),
      limits: opts.limits,
      cgroupsPath: `/slipway/${id}`,
      network: network === 'host' ? { kind: 'host' } : network === 'none' ? { kind: 'none' } : { kind: 'netns', path: network.netnsPath },
      hostIpv6: await hostHasIpv6(),
      arch: process.arch,
    });
    await writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const cgroupVersion = await detectCgroupVersion();
    if (cgroupVersion !== null) await ensureParentCpuWeight(cgroupVersion);
    return await runc.run(id, bundle, { onOutput: opts.onOutput, timeoutMs: opts.timeoutMs });
  } finally {
    await runc.delete(id, true).catch(() => {});
    if (mounted) await execCapture('umount', ['--lazy', scratch]);
    await rm(bundle, { recursive: true, force: true });
  }
}
