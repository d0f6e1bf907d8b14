/**
 * A one-shot isolated command (builds): a throwaway bundle with the same isolation as a dyno
 * (namespaces, unprivileged user, no capabilities, seccomp, read-only stack, generated /etc,
 * cgroup limits), the caller's binds, `runc run` in the foreground with stdio piped to
 * `onOutput`, a time limit after which every process in it is killed; the bundle is removed after.
 * Writable binds must be writable by `user` (the caller chowns them).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { detectCgroupVersion, ensureParentCpuWeight } from './cgroups.js';
import { hostHasIpv6 } from './firewall-apply.js';
import { buildOciSpec, DYNO_USER, type BindMount, type ContainerLimits, type ContainerUser } from './oci-spec.js';
import { hostNameservers, prepareRootfs, probeHostEntries, writeEtc } from './rootfs.js';
import { createRunc } from './runc.js';

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
  /** `host` shares the host's network; `none` has loopback only; `{ netnsPath }` joins a namespace made with `ip netns` (builds: build/runc-sandbox-network.ts). */
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
  await mkdir(bundle, { recursive: true, mode: 0o711 });
  try {
    const hostEntries = await probeHostEntries();
    await prepareRootfs(path.join(bundle, 'rootfs'), hostEntries);
    const etcBinds = await writeEtc(path.join(bundle, 'etc'), {
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
      rootfs: path.join(bundle, 'rootfs'),
      hostEntries,
      etcDir: path.join(bundle, 'etc'),
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
    await rm(bundle, { recursive: true, force: true });
  }
}
