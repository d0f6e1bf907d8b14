/**
 * Safe extraction of source tarballs (tar or tar.gz) into a fresh directory. Every entry is checked
 * before anything is written: no absolute paths, no `..`, no symlink or hard link pointing outside
 * the target, no device files or FIFOs, and a cap on the uncompressed size (size bombs). On a bad
 * entry it throws a TarballError naming it; the caller throws the half-filled directory away.
 */
import { createGunzip } from 'node:zlib';
import { mkdir, open, symlink, link, lstat, rm, chmod } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { SlipwayError } from '../errors.js';

export class TarballError extends SlipwayError {
  constructor(message: string) {
    super('invalid_params', message, { field: 'source_blob' });
    this.name = 'TarballError';
  }
}

export interface ExtractOptions {
  /** Largest total of uncompressed bytes accepted. */
  maxBytes: number;
}

export interface ExtractResult {
  files: number;
  bytes: number;
}

interface Entry {
  name: string;
  type: string;
  size: number;
  mode: number;
  linkname: string;
}

/** Decides whether an entry may be extracted under the root; returns its normalised relative path. Pure. */
export function checkEntry(entry: Pick<Entry, 'name' | 'type' | 'linkname'>): string | null {
  const raw = entry.name.replace(/\\/g, '/');
  if (raw.startsWith('/')) throw new TarballError(`Tarball entry "${entry.name}" has an absolute path.`);
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new TarballError(`Tarball entry "${entry.name}" points outside the build directory (..).`);
  const rel = parts.join('/');
  switch (entry.type) {
    case '3':
    case '4':
      throw new TarballError(`Tarball entry "${entry.name}" is a device file; device files are not allowed.`);
    case '6':
      throw new TarballError(`Tarball entry "${entry.name}" is a FIFO; special files are not allowed.`);
    case '2': {
      const target = entry.linkname.replace(/\\/g, '/');
      if (target.startsWith('/')) throw new TarballError(`Tarball symlink "${entry.name}" points to an absolute path (${entry.linkname}).`);
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel || '.'), target));
      if (resolved === '..' || resolved.startsWith('../')) {
        throw new TarballError(`Tarball symlink "${entry.name}" points outside the build directory (${entry.linkname}).`);
      }
      break;
    }
    case '1': {
      const target = entry.linkname.replace(/\\/g, '/');
      const norm = path.posix.normalize(target.replace(/^\.\//, ''));
      if (target.startsWith('/') || norm === '..' || norm.startsWith('../')) {
        throw new TarballError(`Tarball hard link "${entry.name}" points outside the build directory (${entry.linkname}).`);
      }
      break;
    }
    case '0': case '\0': case '7': case '5':
      break;
    default:
      throw new TarballError(`Tarball entry "${entry.name}" has an unsupported type "${entry.type}".`);
  }
  return rel === '' ? null : rel;
}

/** Extracts `source` (tar, optionally gzipped) into `dest`, which must be empty or absent. */
export async function extractTarball(source: Readable, dest: string, opts: ExtractOptions): Promise<ExtractResult> {
  await mkdir(dest, { recursive: true });
  const input = await maybeGunzip(source, opts.maxBytes);
  const reader = new BlockReader(input);
  let files = 0;
  let bytes = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  const dirModes: [string, number][] = [];
  try {
    for (;;) {
      const header = await reader.read(512);
      if (!header) break;
      if (header.every((b) => b === 0)) break;
      verifyChecksum(header);
      const base = parseHeader(header);
      const size = pax.size !== undefined ? Number(pax.size) : base.size;
      if (base.type === 'x' || base.type === 'g' || base.type === 'L' || base.type === 'K') {
        if (size > 1024 * 1024) throw new TarballError('Tarball has an oversized extended header.');
        const data = await reader.readPadded(size);
        if (base.type === 'x') pax = parsePax(data);
        else if (base.type === 'L') longName = cString(data);
        else if (base.type === 'K') longLink = cString(data);
        continue;
      }
      const entry: Entry = {
        ...base,
        size,
        name: pax.path ?? longName ?? base.name,
        linkname: pax.linkpath ?? longLink ?? base.linkname,
      };
      pax = {};
      longName = undefined;
      longLink = undefined;
      const rel = checkEntry(entry);
      const isFile = entry.type === '0' || entry.type === '\0' || entry.type === '7';
      if (isFile) {
        bytes += entry.size;
        if (bytes > opts.maxBytes) throw new TarballError(`Tarball expands to more than ${opts.maxBytes} bytes; refusing it (size limit).`);
      }
      if (rel === null) {
        await reader.skipPadded(entry.size);
        continue;
      }
      const target = path.join(dest, rel);
      await mkdir(path.dirname(target), { recursive: true });
      await assertNoSymlinkParents(dest, rel);
      if (entry.type === '5') {
        await mkdir(target, { recursive: true });
        dirModes.push([target, (entry.mode & 0o777) | 0o700]);
      } else if (entry.type === '2') {
        await rm(target, { force: true, recursive: true });
        await symlink(entry.linkname, target);
      } else if (entry.type === '1') {
        await rm(target, { force: true, recursive: true });
        await link(path.join(dest, path.posix.normalize(entry.linkname.replace(/^\.\//, ''))), target);
      } else {
        await rm(target, { force: true, recursive: true });
        const fh = await open(target, 'wx', (entry.mode & 0o777) | 0o600);
        try {
          let left = entry.size;
          while (left > 0) {
            const chunk = await reader.read(Math.min(left, 64 * 1024));
            if (!chunk) throw new TarballError('Tarball is truncated.');
            await fh.write(chunk);
            left -= chunk.length;
          }
        } finally {
          await fh.close();
        }
        await reader.skip(pad(entry.size) - entry.size);
        files++;
      }
      if (!isFile) await reader.skipPadded(entry.size);
    }
  } catch (err) {
    source.destroy();
    if (err instanceof SlipwayError) throw err;
    throw new TarballError(`Could not read the tarball: ${(err as Error).message}`);
  }
  for (const [dir, mode] of dirModes.reverse()) await chmod(dir, mode);
  return { files, bytes };
}

async function assertNoSymlinkParents(root: string, rel: string): Promise<void> {
  const parts = rel.split('/');
  let cur = root;
  for (const part of parts.slice(0, -1)) {
    cur = path.join(cur, part);
    const st = await lstat(cur);
    if (st.isSymbolicLink()) throw new TarballError(`Tarball entry "${rel}" is written through a symlink; refusing it.`);
  }
}

async function maybeGunzip(source: Readable, maxBytes: number): Promise<Readable> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value as Buffer);
  const rest = Readable.from((async function* () {
    if (head.length) yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value as Buffer;
    }
  })());
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    // Headers and padding add to the file bytes; allow generous slack over the file-size cap.
    const limit = maxBytes + 64 * 1024 * 1024;
    let seen = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen > limit) cb(new TarballError(`Tarball expands to more than ${maxBytes} bytes; refusing it (size limit).`));
        else cb(null, chunk);
      },
    });
    const gunzip = createGunzip();
    gunzip.on('error', (err) => counter.destroy(new TarballError(`Tarball is not valid gzip: ${err.message}`)));
    rest.on('error', (err) => counter.destroy(err));
    return rest.pipe(gunzip).pipe(counter);
  }
  return rest;
}

function pad(n: number): number {
  return Math.ceil(n / 512) * 512;
}

function cString(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.subarray(0, nul < 0 ? buf.length : nul).toString('utf8');
}

function octal(buf: Buffer): number {
  if (buf[0] & 0x80) {
    let n = 0;
    for (let i = 1; i < buf.length; i++) n = n * 256 + buf[i];
    return n;
  }
  const s = cString(buf).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function verifyChecksum(h: Buffer): void {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  if (sum !== octal(h.subarray(148, 156))) throw new TarballError('Not a tar archive (bad header checksum).');
}

function parseHeader(h: Buffer): Entry {
  const name = cString(h.subarray(0, 100));
  const magic = h.subarray(257, 262).toString('latin1');
  const prefix = magic === 'ustar' ? cString(h.subarray(345, 500)) : '';
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: octal(h.subarray(100, 108)),
    size: octal(h.subarray(124, 136)),
    type: String.fromCharCode(h[156]),
    linkname: cString(h.subarray(157, 257)),
  };
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.subarray(i, sp).toString('utf8'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Pulls exact byte counts out of a stream. */
class BlockReader {
  private buf = Buffer.alloc(0);
  private readonly it: AsyncIterator<unknown>;
  private done = false;

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.buf.length < n && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else this.buf = Buffer.concat([this.buf, next.value as Buffer]);
    }
  }

  /** Up to n bytes (exactly n unless the stream ended); null at end of stream. */
  async read(n: number): Promise<Buffer | null> {
    await this.fill(n);
    if (this.buf.length === 0) return null;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  async readPadded(n: number): Promise<Buffer> {
    const data = n > 0 ? await this.read(n) : Buffer.alloc(0);
    if (!data || data.length < n) throw new TarballError('Tarball is truncated.');
    await this.skip(pad(n) - n);
    return Buffer.from(data);
  }

  async skipPadded(n: number): Promise<void> {
    await this.skip(pad(n));
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const chunk = await this.read(Math.min(left, 64 * 1024));
      if (!chunk) throw new TarballError('Tarball is truncated.');
      left -= chunk.length;
    }
  }
}
