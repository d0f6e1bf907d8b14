/**
 * Unpacking a slug into a fresh directory (process driver; the runc driver may reuse it for its
 * read-only lower layer). A slug is a tar.gz of `/app`: Heroku's layout has every entry under
 * `./app/`, a plain `tar -C /app -czf slug.tgz .` has them at the root; both are accepted and the
 * returned path is the directory that plays `/app`.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export async function unpackSlug(slugPath: string | null, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  if (slugPath === null) return into;
  await run('tar', ['-xzf', slugPath, '-C', into, '--no-same-owner']);
  const entries = await readdir(into);
  if (entries.length === 1 && entries[0] === 'app' && (await stat(path.join(into, 'app'))).isDirectory()) {
    return path.join(into, 'app');
  }
  return into;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args[0]} exited with ${code}: ${err.trim()}`));
    });
  });
}
