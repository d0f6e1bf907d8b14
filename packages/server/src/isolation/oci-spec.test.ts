import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildOciSpec, DYNO_USER, MASKED_PATHS, NO_IPV6_SYSCTLS, type ContainerSpecInput } from './oci-spec.js';
import { ALLOWED_SYSCALLS, DENIED_SYSCALLS, dynoSeccompProfile } from './seccomp.js';

const anInput = (over: Partial<ContainerSpecInput> = {}): ContainerSpecInput => ({
  hostname: 'web.1',
  args: ['/bin/sh', '-c', 'echo hi'],
  env: { DYNO: 'web.1', PORT: '5000' },
  cwd: '/app',
  user: DYNO_USER,
  rootfs: '/b/rootfs',
  hostEntries: [{ name: 'bin', kind: 'symlink', target: 'usr/bin' }, { name: 'lib64', kind: 'dir' }],
  etcDir: '/b/etc',
  binds: [{ source: '/etc/ssl/certs', destination: '/etc/ssl/certs', readonly: true }],
  app: { kind: 'overlay', lowerDir: '/s/lower', upperDir: '/b/upper', workDir: '/b/work' },
  tmpfsBytes: 64 * 1024 * 1024,
  limits: { memoryBytes: 1024 * 1024 * 1024, memoryReservationBytes: 512 * 1024 * 1024, cpuShares: 1024, pids: 256 },
  cgroupsPath: '/slipway/x',
  network: { kind: 'netns', path: '/run/netns/x' },
  arch: 'x64',
  ...over,
});

describe('buildOciSpec', () => {
  it('gives the container its own pid, ipc, uts, mount, cgroup namespaces and the given netns', () => {
    const s = buildOciSpec(anInput());
    assert.deepEqual(s.linux.namespaces.map((n) => n.type).sort(), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
    assert.deepEqual(s.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/netns/x' });
    assert.equal(s.hostname, 'web.1');
  });

  it('a new empty netns with network none, the host one with host', () => {
    assert.deepEqual(buildOciSpec(anInput({ network: { kind: 'none' } })).linux.namespaces.find((n) => n.type === 'network'), { type: 'network' });
    const host = buildOciSpec(anInput({ network: { kind: 'host' } }));
    assert.equal(host.linux.namespaces.find((n) => n.type === 'network'), undefined);
    assert.equal(host.mounts.find((m) => m.destination === '/sys')?.type, 'bind');
  });

  it('mounts /tmp as a size-limited tmpfs, or binds the given scratch dir there', () => {
    const tmpfs = buildOciSpec(anInput()).mounts.find((m) => m.destination === '/tmp');
    assert.deepEqual(tmpfs, { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'] });
    const bind = buildOciSpec(anInput({ tmpDir: '/b/scratch/tmp' })).mounts.filter((m) => m.destination === '/tmp');
    assert.deepEqual(bind, [{ destination: '/tmp', type: 'bind', source: '/b/scratch/tmp', options: ['rbind', 'nosuid', 'nodev'] }]);
  });

  it('runs unprivileged: dyno uid, no capabilities, no new privileges', () => {
    const p = buildOciSpec(anInput()).process;
    assert.equal(p.user.uid, DYNO_USER.uid);
    assert.notEqual(p.user.uid, 0);
    assert.equal(p.noNewPrivileges, true);
    for (const set of Object.values(p.capabilities)) assert.deepEqual(set, []);
    assert.deepEqual(p.env, ['DYNO=web.1', 'PORT=5000']);
  });

  it('mounts the stack read-only over a read-only root, /etc generated, /app an overlay, /tmp a sized tmpfs', () => {
    const s = buildOciSpec(anInput());
    assert.equal(s.root.readonly, true);
    const by = (d: string) => s.mounts.find((m) => m.destination === d);
    assert.ok(by('/usr')?.options.includes('ro'));
    assert.ok(by('/lib64')?.options.includes('ro'));
    assert.equal(by('/bin'), undefined, 'a symlinked /bin lives in the rootfs, not as a mount');
    assert.equal(by('/etc')?.source, '/b/etc');
    assert.ok(by('/etc')?.options.includes('ro'));
    assert.ok(by('/etc/ssl/certs')?.options.includes('ro'));
    assert.equal(by('/app')?.type, 'overlay');
    assert.deepEqual(by('/app')?.options.slice(0, 3), ['lowerdir=/s/lower', 'upperdir=/b/upper', 'workdir=/b/work']);
    assert.ok(by('/tmp')?.options.includes('size=65536k'));
    assert.ok(by('/sys')?.options.includes('ro'));
    const order = s.mounts.map((m) => m.destination);
    assert.ok(order.indexOf('/etc') < order.indexOf('/etc/ssl/certs'), 'binds under /etc come after it');
  });

  it('masks /proc and /sys as runc does', () => {
    const s = buildOciSpec(anInput());
    assert.deepEqual(s.linux.maskedPaths, [...MASKED_PATHS]);
    assert.ok(s.linux.maskedPaths.includes('/proc/kcore'));
    assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
  });

  it('sets memory (no swap), CPU shares and pids from the limits', () => {
    const r = buildOciSpec(anInput()).linux.resources;
    assert.equal(r.memory.limit, 1024 * 1024 * 1024);
    assert.equal(r.memory.swap, r.memory.limit, 'memory+swap = memory: no swap');
    assert.equal(r.memory.reservation, 512 * 1024 * 1024);
    assert.equal(r.cpu.shares, 1024);
    assert.equal(r.pids.limit, 256);
    assert.deepEqual(r.devices, [{ allow: false, access: 'rwm' }]);
  });
});

describe('dynoSeccompProfile', () => {
  const p = dynoSeccompProfile('x64');
  const unconditional = new Set(p.syscalls.filter((r) => !r.args && r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));

  it('is an allowlist: EPERM by default, only the native architecture', () => {
    assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(p.defaultErrnoRet, 1);
    assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64']);
    assert.deepEqual(dynoSeccompProfile('arm64').architectures, ['SCMP_ARCH_AARCH64']);
    for (const name of ['read', 'write', 'openat', 'mmap', 'futex', 'epoll_wait', 'ioctl', 'pipe2', 'execve', 'wait4', 'inotify_init1', 'memfd_create']) {
      assert.ok(unconditional.has(name), name);
    }
    assert.deepEqual([...ALLOWED_SYSCALLS].sort(), [...new Set(ALLOWED_SYSCALLS)].sort(), 'no duplicates');
  });

  it('allows none of the calls it denies on purpose, whatever their arguments', () => {
    const anyRule = new Set(p.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
    for (const name of DENIED_SYSCALLS) assert.equal(anyRule.has(name), false, name);
    for (const name of ['io_uring_setup', 'io_uring_enter', 'io_uring_register', 'memfd_secret', 'socketcall', 'ptrace', 'bpf', 'keyctl', 'mount', 'unshare']) {
      assert.ok(DENIED_SYSCALLS.includes(name), name);
    }
  });

  it('opens sockets of the unix, inet, inet6 and netlink families only', () => {
    const families = p.syscalls.filter((r) => r.names.includes('socket')).map((r) => r.args?.[0]);
    assert.ok(families.every((a) => a?.op === 'SCMP_CMP_EQ' && a.index === 0));
    assert.deepEqual(families.map((a) => a!.value).sort((x, y) => x - y), [1, 2, 10, 16]);
    assert.deepEqual(p.syscalls.filter((r) => r.names.includes('socketpair')).map((r) => r.args?.[0].value), [1]);
  });

  it('allows clone without namespace flags and the personality values Docker allows, clone3 is ENOSYS', () => {
    const clone = p.syscalls.filter((r) => r.names.includes('clone'));
    assert.deepEqual(clone.map((r) => r.args), [[{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]]);
    const allowsClone = (flags: number) => clone.some((r) => r.args!.every((a) => ((flags & a.value) >>> 0) === a.valueTwo));
    assert.equal(allowsClone(0x00011 /* SIGCHLD */ | 0x100 /* CLONE_VM */), true);
    assert.equal(allowsClone(0x10000000 /* CLONE_NEWUSER */), false);
    const pers = p.syscalls.filter((r) => r.names.includes('personality')).map((r) => r.args![0].value);
    assert.deepEqual(pers, [0, 8, 0x20000, 0x20008, 0xffffffff]);
    assert.ok(!pers.includes(0x0040000), 'ADDR_NO_RANDOMIZE');
    assert.equal(p.syscalls.find((r) => r.names.includes('clone3'))?.errnoRet, 38);
  });
});

describe('IPv6 in a container\'s own network namespace', () => {
  it('is switched off by sysctl when the host has IPv6, not set otherwise or on the host network', () => {
    const build = buildOciSpec;
    const base = {
      hostname: 'web.1', args: ['true'], env: {}, cwd: '/', user: { uid: 1, gid: 1 }, rootfs: '/r', hostEntries: [], etcDir: '/e', binds: [], app: null,
      tmpfsBytes: 1, limits: { memoryBytes: 1 << 20, cpuShares: 2, pids: 10 }, cgroupsPath: '/s/x', arch: process.arch,
    } as unknown as ContainerSpecInput;
    assert.deepEqual(build({ ...base, network: { kind: 'netns', path: '/run/netns/x' } }).linux.sysctl, { ...NO_IPV6_SYSCTLS });
    assert.equal(build({ ...base, network: { kind: 'netns', path: '/run/netns/x' }, hostIpv6: false }).linux.sysctl, undefined);
    assert.equal(build({ ...base, network: { kind: 'host' } }).linux.sysctl, undefined);
  });
});
