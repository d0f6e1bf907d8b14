/**
 * The dashboard bundle's files, read once from its build directory and kept in memory with their
 * gzip form (a few hundred KB): a request never touches the disk or compresses twice.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface StaticFile {
  body: Buffer;
  gzip?: Buffer;
  type: string;
  /** Content-hashed build output (`assets/…`): cacheable for ever. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

/** Every file under `dir`, by its URL path relative to the bundle root (`assets/index-abc.js`). */
export async function loadStaticFiles(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) {
        const ext = path.extname(entry.name).toLowerCase();
        const body = await readFile(path.join(dir, rel));
        files.set(rel, {
          body,
          gzip: COMPRESSIBLE.has(ext) ? gzipSync(body, { level: 9 }) : undefined,
          type: TYPES[ext] ?? 'application/octet-stream',
          immutable: rel.startsWith('assets/'),
        });
      }
    }
  };
  await walk('');
  return files;
}
