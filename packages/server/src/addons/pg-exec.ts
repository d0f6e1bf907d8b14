/**
 * Runs a PostgreSQL tool (initdb, pg_ctl, pg_dump, pg_restore, openssl) with an argument array,
 * optionally as another uid (the server never runs as root), with its output captured.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
}

export class PgToolError extends Error {
  constructor(readonly tool: string, readonly code: number | null, readonly output: string) {
    super(`${path.basename(tool)} failed (exit ${code ?? 'signal'}): ${output.trim().slice(-600)}`);
    this.name = 'PgToolError';
  }
}

export interface RunOptions {
  runAs?: RunAs;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Start it in its own session (a server that must outlive the platform). */
  detached?: boolean;
}

export function runTool(tool: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', ...opts.env },
      uid: opts.runAs?.uid,
      gid: opts.runAs?.gid,
      detached: opts.detached ?? false,
      cwd: '/',
    });
    let out = '';
    const take = (d: Buffer) => {
      if (out.length < 1_000_000) out += d.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new PgToolError(tool, code, out));
    });
  });
}

/** The newest installed PostgreSQL's bin dir (Debian: /usr/lib/postgresql/<major>/bin), or ''. */
export function findPgBin(root = '/usr/lib/postgresql'): string {
  if (!existsSync(root)) return '';
  const majors = readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  for (const m of majors) if (existsSync(path.join(root, m, 'bin', 'postgres'))) return path.join(root, m, 'bin');
  return '';
}
