/**
 * `slipway setup` (and `npm run setup`): the system packages the platform uses, installed with apt
 * on Debian/Ubuntu as root, idempotently (nothing is run when everything is there); elsewhere, or
 * without root, it prints exactly what is missing and the command that installs it. Deciding is
 * pure (`planSetup`); `runSetup` looks the tools up and applies the plan.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface Requirement {
  /** The executable that proves the package is installed. */
  binary: string;
  /** Extra proof: `binary ...check` must exit 0 (e.g. python3's venv module). */
  check?: string[];
  debianPackage: string;
  /** What Slipway uses it for (printed when it is missing). */
  purpose: string;
}

/** Every system package the platform runs (node and npm are already there when this runs). */
export const REQUIREMENTS: readonly Requirement[] = [
  { binary: 'runc', debianPackage: 'runc', purpose: 'runs every dyno and build in an isolated container' },
  { binary: 'conmon', debianPackage: 'conmon', purpose: 'supervises runc dynos so they outlive a platform restart' },
  { binary: 'iptables', debianPackage: 'iptables', purpose: 'the firewall rules of the dynos\' private network' },
  { binary: 'ip', debianPackage: 'iproute2', purpose: 'the dyno bridge, veth pairs and network namespaces' },
  { binary: 'openssl', debianPackage: 'openssl', purpose: 'the API port\'s TLS certificate (heroku git remotes, heroku run)' },
  { binary: 'script', debianPackage: 'util-linux', purpose: 'a pty for attached one-off dynos' },
  { binary: 'git', debianPackage: 'git', purpose: 'git push deploys (git http-backend)' },
  { binary: 'tar', debianPackage: 'tar', purpose: 'slugs' },
  { binary: 'python3', check: ['-c', 'import venv, ensurepip'], debianPackage: 'python3-venv', purpose: 'the built-in Python buildpack' },
];

/** Besides $PATH: where Debian puts root's tools (a non-root PATH often lacks them). */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export interface SetupHost {
  platform: NodeJS.Platform;
  uid: number | undefined;
  /** Path of apt-get, when there is one. */
  aptGet: string | undefined;
}

export type SetupPlan =
  | { kind: 'nothing' }
  | { kind: 'apt'; packages: string[] }
  | { kind: 'manual'; packages: string[]; why: string };

/** Pure: what to do about the missing requirements on this host. */
export function planSetup(missing: readonly Requirement[], host: SetupHost): SetupPlan {
  if (missing.length === 0) return { kind: 'nothing' };
  const packages = [...new Set(missing.map((r) => r.debianPackage))].sort();
  if (host.platform !== 'linux') return { kind: 'manual', packages, why: `this is ${host.platform}: Slipway's isolated dynos need Linux` };
  if (host.aptGet === undefined) return { kind: 'manual', packages, why: 'apt-get is not here (not Debian/Ubuntu)' };
  if (host.uid !== 0) return { kind: 'manual', packages, why: `installing needs root (this is uid ${host.uid ?? 'unknown'})` };
  return { kind: 'apt', packages };
}

/** The first executable file named `name` on `dirs`. */
export function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function missingRequirements(requirements: readonly Requirement[], dirs: readonly string[]): Requirement[] {
  return requirements.filter((r) => {
    const file = findExecutable(r.binary, dirs);
    if (!file) return true;
    return r.check !== undefined && spawnSync(file, r.check, { stdio: 'ignore', timeout: 30_000 }).status !== 0;
  });
}

export interface SetupOptions {
  requirements?: readonly Requirement[];
  /** Directories searched for the tools (default: $PATH, then the sbin dirs). */
  searchDirs?: readonly string[];
  host?: Partial<SetupHost>;
  /** Only report; install nothing. */
  checkOnly?: boolean;
  out: { write(s: string): unknown };
  /** Extra environment for apt-get. */
  env?: NodeJS.ProcessEnv;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Resolves to the exit status: 0 when everything is installed (or cannot be here: see `manual`), else 1. */
export async function runSetup(opts: SetupOptions): Promise<number> {
  const requirements = opts.requirements ?? REQUIREMENTS;
  const dirs = opts.searchDirs ?? [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN_DIRS];
  const host: SetupHost = {
    platform: opts.host?.platform ?? process.platform,
    uid: opts.host && 'uid' in opts.host ? opts.host.uid : process.getuid?.(),
    aptGet: opts.host && 'aptGet' in opts.host ? opts.host.aptGet : findExecutable('apt-get', dirs),
  };
  const { out } = opts;
  const missing = missingRequirements(requirements, dirs);
  const plan = planSetup(missing, host);
  if (plan.kind === 'nothing') {
    out.write(`All ${requirements.length} system packages Slipway uses are installed (${[...new Set(requirements.map((r) => r.debianPackage))].join(', ')}).\n`);
    return 0;
  }
  out.write('Slipway uses these system packages, missing here:\n');
  const width = Math.max(...missing.map((r) => r.binary.length));
  for (const r of missing) out.write(`  ${r.binary.padEnd(width)}  (Debian package ${r.debianPackage}): ${r.purpose}\n`);
  const command = `apt-get install -y ${plan.packages.join(' ')}`;
  if (opts.checkOnly || plan.kind === 'manual') {
    if (plan.kind === 'manual') out.write(`Not installing them: ${plan.why}.\n`);
    out.write(`Install them as root on Debian/Ubuntu with:\n  ${command}\nElsewhere, install the same tools with the system's package manager.\n`);
    out.write('Until then the platform runs degraded (dynos as plain processes without runc, conmon, ip or iptables); `slipway doctor` says what.\n');
    return opts.checkOnly ? 1 : 0;
  }
  const aptGet = host.aptGet as string;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...opts.env };
  out.write(`Installing with apt: ${plan.packages.join(' ')}\n`);
  const updated = await run(aptGet, ['update', '-qq'], env);
  if (updated !== 0) out.write(`apt-get update exited ${updated}; trying the install anyway.\n`);
  const installed = await run(aptGet, ['install', '-y', '-q', '--no-install-recommends', ...plan.packages], env);
  const still = missingRequirements(requirements, dirs);
  if (installed !== 0 || still.length > 0) {
    out.write(`apt-get install exited ${installed}; still missing: ${still.map((r) => r.binary).join(', ') || 'nothing'}.\n`);
    return 1;
  }
  out.write(`Installed ${plan.packages.join(', ')}: every system package Slipway uses is here.\n`);
  return 0;
}
