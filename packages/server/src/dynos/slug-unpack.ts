/**
 * Unpacking a slug into a fresh directory (process driver; the runc driver may reuse it for its
 * read-only lower layer). A slug is a tar.gz of `/app`: Heroku's layout has every entry under
 * `./app/`, a plain `tar -C /app -czf slug.tgz .` has them at the root; both are accepted and the
 * returned path is the directory that plays `/app`.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { exec } from '../isolation/index.js';

/** Packing or unpacking a slug of up to SLIPWAY_SLUG_MAX_BYTES. */
const TAR_TIMEOUT_MS = 15 * 60_000;

export async function unpackSlug(slugPath: string | null, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  if (slugPath === null) return into;
  await exec('tar', ['-xzf', slugPath, '-C', into, '--no-same-owner'], { timeoutMs: TAR_TIMEOUT_MS });
  const entries = await readdir(into);
  if (entries.length === 1 && entries[0] === 'app' && (await stat(path.join(into, 'app'))).isDirectory()) {
    return path.join(into, 'app');
  }
  return into;
}
