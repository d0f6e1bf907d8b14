/** Small helpers to run the platform's own tools (git, tar, chown, cp) with argument arrays. */
import { spawn, type SpawnOptions } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function exec(file: string, args: string[], opts: SpawnOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      if (stdout.length < 1024 * 1024) stdout += d.toString('utf8');
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs and throws on a non-zero exit, with the tool's stderr in the message. */
export async function execOk(file: string, args: string[], opts: SpawnOptions = {}): Promise<string> {
  const r = await exec(file, args, opts);
  if (r.code !== 0) throw new Error(`${file} ${args[0] ?? ''} exited with ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}
