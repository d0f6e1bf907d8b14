/**
 * The OCI runtime config (`config.json`) of an isolated container: a pure function of what the
 * container should be. Own pid, mount, network, uts, ipc and cgroup namespaces; an unprivileged
 * user with no capabilities and no new privileges; a seccomp profile; runc's default masked and
 * read-only paths; the host's stack (`/usr`, `/bin`, `/lib*`, `/sbin`) read-only over a read-only
 * root; a generated `/etc`; `/tmp` a size-limited tmpfs; `/app` an overlay (or a bind); cgroup
 * limits (memory without swap, CPU shares, which runc turns into a weight on cgroup v2, pids).
 */
import { dynoSeccompProfile, type SeccompProfile } from './seccomp.js';

/** A top-level entry of the host's root that the stack needs (`/bin` may be a symlink to `usr/bin`). */
export interface HostEntry {
  name: string;
  kind: 'dir' | 'symlink';
  /** Symlink target, as read by readlink (e.g. `usr/bin`). */
  target?: string;
}

export interface ContainerUser {
  uid: number;
  gid: number;
}

export interface ContainerLimits {
  /** Hard limit: past it the kernel OOM-kills inside the container. */
  memoryBytes: number;
  /** Soft limit (the quota): the kernel reclaims down to it first under pressure. */
  memoryReservationBytes?: number;
  /** cgroup v1 cpu.shares (1024 = one standard share); runc maps it to cpu.weight on v2. */
  cpuShares: number;
  pids: number;
}

export type AppMount =
  | { kind: 'overlay'; lowerDir: string; upperDir: string; workDir: string }
  | { kind: 'bind'; source: string; readonly: boolean };

export type NetworkMode = { kind: 'none' } | { kind: 'host' } | { kind: 'netns'; path: string };

export interface BindMount {
  source: string;
  destination: string;
  readonly: boolean;
}

export interface ContainerSpecInput {
  hostname: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  user: ContainerUser;
  /** The root directory (mount points only); mounted read-only. */
  rootfs: string;
  /** Top-level host dirs/symlinks to expose read-only (`/usr` is always bound). */
  hostEntries: HostEntry[];
  /** The generated `/etc` directory (bound read-only). */
  etcDir: string;
  /** Extra read-only or writable binds, mounted after `/etc` (e.g. `/etc/ssl/certs`, `/etc/hosts`). */
  binds: BindMount[];
  /** What is mounted at `/app`; null = nothing. */
  app: AppMount | null;
  /** `/tmp`: a tmpfs of this size, unless `tmpDir` is given. */
  tmpfsBytes: number;
  /** A host dir (mode 1777) bound at `/tmp` instead of a tmpfs (a dyno's size-limited scratch filesystem). */
  tmpDir?: string;
  limits: ContainerLimits;
  /** cgroup path, e.g. `/slipway/<id>` (cgroupfs driver). */
  cgroupsPath: string;
  /** `none`: a new, empty namespace (loopback only); `netns`: join one made with `ip netns`; `host`: share the host's. */
  network: NetworkMode;
  /** The host has an IPv6 stack (default true): only then are IPv6 sysctls set in the container's own netns. */
  hostIpv6?: boolean;
  /** `process.arch`, for the seccomp architectures. */
  arch: string;
  /** RLIMIT_NOFILE; Heroku's dynos get 10000. */
  maxOpenFiles?: number;
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; inheritable: string[]; permitted: string[]; ambient: string[] };
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: {
    uidMappings?: unknown[];
    resources: {
      devices: { allow: boolean; access: string; type?: string; major?: number; minor?: number }[];
      memory: { limit: number; reservation?: number; swap: number };
      cpu: { shares: number };
      pids: { limit: number };
    };
    cgroupsPath: string;
    namespaces: { type: string; path?: string }[];
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp: SeccompProfile;
    sysctl?: Record<string, string>;
  };
}

/** IPv6 off in a container's own network namespace: Slipway manages no IPv6 address (see firewall.ts). */
export const NO_IPV6_SYSCTLS: Readonly<Record<string, string>> = Object.freeze({
  'net.ipv6.conf.all.disable_ipv6': '1',
  'net.ipv6.conf.default.disable_ipv6': '1',
});

/** runc's `runc spec` defaults. */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
];
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Top-level host entries the stack is made of. */
export const STACK_ENTRIES: readonly string[] = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

const RO_BIND = ['rbind', 'ro', 'nosuid', 'nodev'];

export function buildOciSpec(input: ContainerSpecInput): OciSpec {
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    // sysfs can only be mounted fresh in a network namespace of one's own; else bind the host's, read-only.
    input.network.kind === 'host'
      ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/usr', type: 'bind', source: '/usr', options: RO_BIND },
  ];
  for (const e of input.hostEntries) {
    if (e.kind === 'dir') mounts.push({ destination: `/${e.name}`, type: 'bind', source: `/${e.name}`, options: RO_BIND });
  }
  mounts.push({ destination: '/etc', type: 'bind', source: input.etcDir, options: RO_BIND });
  mounts.push(input.tmpDir !== undefined
    ? { destination: '/tmp', type: 'bind', source: input.tmpDir, options: ['rbind', 'nosuid', 'nodev'] }
    : {
      destination: '/tmp',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'mode=1777', `size=${Math.max(1, Math.floor(input.tmpfsBytes / 1024))}k`],
    });
  for (const b of input.binds) {
    mounts.push({ destination: b.destination, type: 'bind', source: b.source, options: b.readonly ? RO_BIND : ['rbind', 'nosuid', 'nodev'] });
  }
  if (input.app?.kind === 'overlay') {
    mounts.push({
      destination: '/app',
      type: 'overlay',
      source: 'overlay',
      options: [`lowerdir=${input.app.lowerDir}`, `upperdir=${input.app.upperDir}`, `workdir=${input.app.workDir}`, 'nosuid', 'nodev'],
    });
  } else if (input.app?.kind === 'bind') {
    mounts.push({ destination: '/app', type: 'bind', source: input.app.source, options: input.app.readonly ? RO_BIND : ['rbind', 'nosuid', 'nodev'] });
  }

  const namespaces: { type: string; path?: string }[] = [
    { type: 'pid' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
    { type: 'cgroup' },
  ];
  if (input.network.kind === 'none') namespaces.push({ type: 'network' });
  else if (input.network.kind === 'netns') namespaces.push({ type: 'network', path: input.network.path });
  const nofile = input.maxOpenFiles ?? 10_000;
  const memory: OciSpec['linux']['resources']['memory'] = { limit: input.limits.memoryBytes, swap: input.limits.memoryBytes };
  if (input.limits.memoryReservationBytes !== undefined) memory.reservation = input.limits.memoryReservationBytes;

  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: input.user.uid, gid: input.user.gid, additionalGids: [] },
      args: [...input.args],
      env: Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
      cwd: input.cwd,
      capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }],
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: true },
    hostname: input.hostname,
    mounts,
    linux: {
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory,
        cpu: { shares: input.limits.cpuShares },
        pids: { limit: input.limits.pids },
      },
      cgroupsPath: input.cgroupsPath,
      namespaces,
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      seccomp: dynoSeccompProfile(input.arch),
      ...(input.network.kind === 'host' || input.hostIpv6 === false ? {} : { sysctl: { ...NO_IPV6_SYSCTLS } }),
    },
  };
}

/** The unprivileged user dynos run as (a dedicated high uid, not shared with any host account). */
export const DYNO_USER: Readonly<ContainerUser & { name: string }> = Object.freeze({ uid: 64_000, gid: 64_000, name: 'dyno' });
