/**
 * Checks of the host's isolation prerequisites: root on Linux, runc, conmon, iproute2, iptables,
 * the cgroup mode, the dyno bridge, git; and, from them, which runtime driver the platform would
 * choose and why (the same pure decision main.ts uses).
 */
import { readFile } from 'node:fs/promises';
import { decideRuntime } from '../dynos/index.js';
import { cgroupVersionFromMountinfo, execCapture } from '../isolation/index.js';
import type { SwarmStatus } from '../swarm/index.js';
import type { CheckResult, DoctorInput } from './types.js';

/** The Debian package of each executable (apt-get install …). */
export const DEBIAN_PACKAGES: Record<keyof DoctorInput['binaries'], string> = {
  runc: 'runc', conmon: 'conmon', iptables: 'iptables', ip: 'iproute2', openssl: 'openssl', git: 'git',
};
const SETUP = 'npm run setup (installs it with apt as root on Debian/Ubuntu)';

export function installFix(role: keyof DoctorInput['binaries']): string {
  return `apt-get install ${DEBIAN_PACKAGES[role]}, or ${SETUP}`;
}

/** Runs `cmd args`; resolves to its first output line, or an error saying why it could not. */
export async function versionOf(cmd: string, args: string[]): Promise<{ version: string } | { error: string }> {
  try {
    const r = await execCapture(cmd, args, { timeoutMs: 10_000 });
    const first = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
    if (r.code !== 0) return { error: `${cmd} ${args.join(' ')} exited ${r.code ?? 'on a signal'}${first ? `: ${first}` : ''}` };
    return { version: first };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `${cmd} is not installed (not found on PATH)` : `${cmd}: ${(err as Error).message}` };
  }
}

async function binaryCheck(name: string, role: keyof DoctorInput['binaries'], input: DoctorInput, args: string[]): Promise<CheckResult> {
  const v = await versionOf(input.binaries[role], args);
  return 'version' in v ? { name, status: 'ok', detail: v.version } : { name, status: 'fail', detail: v.error, fix: installFix(role) };
}

export function rootCheck(input: DoctorInput): CheckResult {
  if (input.platform !== 'linux') return { name: 'root', status: 'fail', detail: `runc dynos need Linux, this is ${input.platform}`, fix: 'run Slipway on a Linux server' };
  if (input.uid !== 0) return { name: 'root', status: 'fail', detail: `runc dynos need root, this is uid ${input.uid ?? 'unknown'}`, fix: 'start the platform as root (sudo, or a systemd service)' };
  return { name: 'root', status: 'ok', detail: 'Linux, uid 0' };
}

export async function cgroupCheck(input: DoctorInput): Promise<CheckResult> {
  let text: string;
  try {
    text = await readFile(input.mountinfoPath, 'utf8');
  } catch (err) {
    return { name: 'cgroups', status: 'fail', detail: `cannot read ${input.mountinfoPath}: ${(err as Error).message}`, fix: 'mount /proc' };
  }
  const v = cgroupVersionFromMountinfo(text);
  if (v === null) return { name: 'cgroups', status: 'fail', detail: 'no cgroup filesystem is mounted at /sys/fs/cgroup', fix: 'mount cgroup2 at /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup)' };
  return { name: 'cgroups', status: 'ok', detail: v === 2 ? 'cgroup v2 (unified)' : 'cgroup v1 (legacy hierarchy)' };
}

export async function iptablesCheck(input: DoctorInput): Promise<CheckResult> {
  const v = await versionOf(input.binaries.iptables, ['-V']);
  if ('error' in v) return { name: 'iptables', status: 'fail', detail: v.error, fix: installFix('iptables') };
  if (input.uid !== 0) return { name: 'iptables', status: 'ok', detail: `${v.version} (rules not readable without root)` };
  const rules = await versionOf(input.binaries.iptables, ['-w', '5', '-S', 'FORWARD']);
  if ('error' in rules) return { name: 'iptables', status: 'fail', detail: `${v.version}, but the kernel's filter table cannot be read: ${rules.error}`, fix: 'load the ip_tables/nf_tables kernel modules, or run where the kernel allows netfilter' };
  return { name: 'iptables', status: 'ok', detail: v.version };
}

export async function bridgeCheck(input: DoctorInput): Promise<CheckResult> {
  const name = 'bridge';
  const bridge = input.config.runcBridge;
  const v = await versionOf(input.binaries.ip, ['-V']);
  if ('error' in v) return { name, status: 'fail', detail: v.error, fix: installFix('ip') };
  try {
    const r = await execCapture(input.binaries.ip, ['-o', '-4', 'addr', 'show', 'dev', bridge], { timeoutMs: 10_000 });
    if (r.code !== 0) return { name, status: 'ok', detail: `${bridge} does not exist yet (${v.version}); the runc driver creates it at start` };
    const addr = /inet (\S+)/.exec(r.stdout)?.[1];
    return { name, status: 'ok', detail: `${bridge} is up${addr ? ` with ${addr}` : ''} (${v.version})` };
  } catch (err) {
    return { name, status: 'fail', detail: `ip: ${(err as Error).message}`, fix: installFix('ip') };
  }
}

/** The host checks, then the runtime line that follows from them. */
export async function hostChecks(input: DoctorInput): Promise<CheckResult[]> {
  const [runc, conmon, iptables, bridge, cgroups, git] = await Promise.all([
    binaryCheck('runc', 'runc', input, ['--version']),
    binaryCheck('conmon', 'conmon', input, ['--version']),
    iptablesCheck(input),
    bridgeCheck(input),
    cgroupCheck(input),
    binaryCheck('git', 'git', input, ['--version']),
  ]);
  const root = rootCheck(input);
  const isolation = [root, runc, conmon, bridge, iptables, cgroups];
  const missing = isolation.find((c) => c.status === 'fail');
  const decision = decideRuntime(input.config.runtime, missing ? { usable: false, reason: `${missing.name}: ${missing.detail}` } : { usable: true, cgroupVersion: cgroups.detail.startsWith('cgroup v2') ? 2 : 1 });
  let runtime: CheckResult;
  if ('error' in decision) runtime = { name: 'runtime', status: 'fail', detail: `the platform would not start: ${decision.error}`, fix: missing?.fix ?? 'unset SLIPWAY_RUNTIME' };
  else if (decision.driver === 'swarm') runtime = await swarmRuntimeCheck(input);
  else if (decision.driver === 'runc') runtime = { name: 'runtime', status: 'ok', detail: `runc (SLIPWAY_RUNTIME=${input.config.runtime}): dynos are isolated containers` };
  else if (decision.reason) runtime = { name: 'runtime', status: 'fail', detail: `process (fallback, NOT isolated): runc is not usable: ${decision.reason}`, fix: missing?.fix };
  else runtime = { name: 'runtime', status: 'fail', detail: 'process (SLIPWAY_RUNTIME=process): dynos are plain processes, NOT isolated', fix: 'unset SLIPWAY_RUNTIME (or set it to auto or runc)' };
  return [runtime, root, runc, conmon, cgroups, iptables, bridge, git];
}

/** SLIPWAY_RUNTIME=swarm: the runtime line says whether DOCKER_HOST is a reachable Swarm manager. */
async function swarmRuntimeCheck(input: DoctorInput): Promise<CheckResult> {
  if (!input.swarmProbe) return { name: 'runtime', status: 'fail', detail: 'swarm (SLIPWAY_RUNTIME=swarm): no Docker client configured', fix: 'set DOCKER_HOST to a Swarm manager\'s Engine API' };
  const s = await input.swarmProbe().catch((err: unknown): SwarmStatus => ({ ok: false, detail: (err as Error).message, fix: 'set DOCKER_HOST to unix:///path or tcp://host:port of a Swarm manager' }));
  if (s.ok) return { name: 'runtime', status: 'ok', detail: `swarm (SLIPWAY_RUNTIME=swarm): ${s.detail}` };
  return { name: 'runtime', status: 'fail', detail: `swarm (SLIPWAY_RUNTIME=swarm): ${s.detail}`, fix: s.fix };
}
