/**
 * Running a host tool (runc, ip, iptables, tar) with an argument array, never a shell string.
 * Output is captured up to a bound; a non-zero exit becomes an `ExecError` carrying stderr.
 */
import { access, constants as fsConstants } from 'node:fs/promises';
import { createExecPool, type ExecPool } from './exec-pool.js';

export class ExecError extends Error {
  constructor(readonly command: string, readonly args: readonly string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`${command} ${args.slice(0, 3).join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim().slice(0, 500)}`);
    this.name = 'ExecError';
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

/**
 * Every host tool of the platform is spawned by one pool of worker threads (exec-pool.ts): a
 * spawn blocks its thread until the child has exec'd, which must not be the event loop's.
 */
let pool: ExecPool | undefined;

/** Runs `cmd args…`; resolves with its output whatever the exit code. */
export function execCapture(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  pool ??= createExecPool();
  return pool.run({ cmd, args, input: opts.input, timeoutMs: opts.timeoutMs, maxCapture: MAX_CAPTURE });
}

/** Runs `cmd args…`; rejects with ExecError unless it exits 0. */
export async function exec(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  const r = await execCapture(cmd, args, { timeoutMs: 60_000, ...opts });
  if (r.code !== 0) throw new ExecError(cmd, args, r.code, r.stderr || r.stdout);
  return r.stdout;
}

const BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of a program (for tools that need one, like conmon's `-r`). */
export async function resolveBinary(cmd: string): Promise<string> {
  if (cmd.includes('/')) return cmd;
  for (const dir of BIN_DIRS) {
    try {
      await access(`${dir}/${cmd}`, fsConstants.X_OK);
      return `${dir}/${cmd}`;
    } catch {
      // not here
    }
  }
  throw new Error(`${cmd} not found in ${BIN_DIRS.join(':')}`);
}
