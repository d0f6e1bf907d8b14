/**
 * The syscall probe (test/fixtures/probes/syscall-probe.c), compiled with the host's gcc at test
 * time, and its output parsed: one `<name> ok | errno <NAME> | signal <n>` line per call.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/server, whether this runs from source or from dist/. */
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE = path.join(path.basename(here) === 'dist' ? path.dirname(here) : here, 'test', 'fixtures', 'probes', 'syscall-probe.c');

/** The probe's C source (to copy into an app that compiles it in its build). */
export function syscallProbeSource(): string {
  return SOURCE;
}

/** Why the probe cannot be built here, or null when gcc is usable. */
export function syscallProbeUnavailable(): string | null {
  const r = spawnSync('gcc', ['--version'], { stdio: 'ignore' });
  return r.status === 0 ? null : 'gcc is not installed (apt-get install gcc libc6-dev)';
}

/** Compiles the probe to `out` (non-PIE, so the 32-bit entry can read its arguments below 4 GB). */
export function compileSyscallProbe(out: string): void {
  const r = spawnSync('gcc', ['-O0', '-no-pie', '-o', out, SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc failed: ${r.stderr}`);
}

export type ProbeResult = { kind: 'ok' } | { kind: 'errno'; errno: string } | { kind: 'signal'; signal: number } | { kind: 'exit'; code: number };

export function parseSyscallProbe(lines: string[]): Map<string, ProbeResult> {
  const out = new Map<string, ProbeResult>();
  for (const l of lines) {
    const [name, kind, value] = l.trim().split(/\s+/);
    if (!name || !kind) continue;
    if (kind === 'ok') out.set(name, { kind: 'ok' });
    else if (kind === 'errno') out.set(name, { kind: 'errno', errno: value ?? '?' });
    else if (kind === 'signal') out.set(name, { kind: 'signal', signal: Number(value) });
    else if (kind === 'exit') out.set(name, { kind: 'exit', code: Number(value) });
  }
  return out;
}

/** Calls the profile must refuse with EPERM (seccomp's answer, not the kernel's own error). */
export const DENIED_BY_SECCOMP = [
  'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'memfd_secret', 'socket_af_vsock', 'socket_af_alg', 'socket_af_packet',
  'socketpair_af_alg', 'keyctl', 'bpf', 'perf_event_open', 'userfaultfd', 'ptrace', 'unshare_newuser', 'clone_newns',
] as const;
/** 32-bit and x32 entries: refused (errno or a kill) whatever the reason (the host may not even have them). */
export const FOREIGN_ARCH = ['int80_socketcall_af_alg', 'int80_getpid', 'x32_getpid'] as const;
/** Must keep working. */
export const ALLOWED = ['socket_af_inet', 'socket_af_inet6', 'socket_af_unix', 'socket_af_netlink', 'memfd_create', 'inotify_init1', 'fork'] as const;

/** Every mismatch between the probe's output and the profile's promise, as readable lines. */
export function seccompViolations(results: Map<string, ProbeResult>): string[] {
  const bad: string[] = [];
  const show = (r: ProbeResult | undefined) => (r === undefined ? 'missing' : JSON.stringify(r));
  for (const n of DENIED_BY_SECCOMP) {
    const r = results.get(n);
    if (r?.kind !== 'errno' || r.errno !== 'EPERM') bad.push(`${n} must fail with EPERM: ${show(r)}`);
  }
  for (const n of FOREIGN_ARCH) {
    const r = results.get(n);
    if (!r || r.kind === 'ok' || r.kind === 'exit') bad.push(`${n} must be refused: ${show(r)}`);
  }
  for (const n of ALLOWED) {
    if (results.get(n)?.kind !== 'ok') bad.push(`${n} must work: ${show(results.get(n))}`);
  }
  return bad;
}
