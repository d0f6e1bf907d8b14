/**
 * Safe extraction of source tarballs (tar or tar.gz) into a fresh directory, on node-tar (the tar
 * implementation npm itself uses: pax headers, GNU long names and links, base-256 sizes, checksums).
 * Slipway's own rules sit on top, checked for every entry before anything of it is written: no
 * absolute paths, no `..`, no symlink or hard link pointing outside the target, no devices, FIFOs or
 * other special entries (sparse files included), nothing written through a symlink, at most
 * MAX_ENTRIES entries, and a cap on the uncompressed bytes (checked on the declared sizes and on the
 * decompressed stream, so a gzip bomb stops early). On a bad entry it throws a TarballError naming
 * it; the caller throws the half-filled directory away.
 */
import { createGunzip } from 'node:zlib';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { Unpack, type ReadEntry } from 'tar';
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
  /** Most entries accepted (default MAX_ENTRIES). */
  maxEntries?: number;
}

export interface ExtractResult {
  files: number;
  bytes: number;
}

/** More entries than any real app source has; bounds inode use by archives of empty files. */
export const MAX_ENTRIES = 200_000;

/** node-tar's entry type names that Slipway extracts. */
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

export interface EntryHeader {
  /** Path as stored (after pax/GNU long-name headers are applied). */
  name: string;
  /** node-tar's type name: File, Directory, SymbolicLink, Link, CharacterDevice… */
  type: string;
  linkname: string;
}

/** Decides whether an entry may be extracted under the root; returns its normalised relative path. Pure. */
export function checkEntry(entry: EntryHeader): string | null {
  const raw = entry.name.replace(/\\/g, '/');
  if (raw.startsWith('/')) throw new TarballError(`Tarball entry "${entry.name}" has an absolute path.`);
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new TarballError(`Tarball entry "${entry.name}" points outside the build directory (..).`);
  const rel = parts.join('/');
  switch (entry.type) {
    case 'CharacterDevice':
    case 'BlockDevice':
      throw new TarballError(`Tarball entry "${entry.name}" is a device file; device files are not allowed.`);
    case 'FIFO':
      throw new TarballError(`Tarball entry "${entry.name}" is a FIFO; special files are not allowed.`);
    case 'SymbolicLink': {
      const target = entry.linkname.replace(/\\/g, '/');
      if (target.startsWith('/')) throw new TarballError(`Tarball symlink "${entry.name}" points to an absolute path (${entry.linkname}).`);
      if (climbsAfterName(target)) throw new TarballError(`Tarball symlink "${entry.name}" has ".." after a name in its target (${entry.linkname}).`);
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel || '.'), target));
      if (resolved === '..' || resolved.startsWith('../')) {
        throw new TarballError(`Tarball symlink "${entry.name}" points outside the build directory (${entry.linkname}).`);
      }
      break;
    }
    case 'Link': {
      const target = entry.linkname.replace(/\\/g, '/');
      const norm = path.posix.normalize(target.replace(/^\.\//, ''));
      if (target.startsWith('/') || norm === '..' || norm.startsWith('../') || climbsAfterName(target)) {
        throw new TarballError(`Tarball hard link "${entry.name}" points outside the build directory (${entry.linkname}).`);
      }
      break;
    }
    case 'File': case 'OldFile': case 'ContiguousFile': case 'Directory':
      break;
    default:
      throw new TarballError(`Tarball entry "${entry.name}" has an unsupported type (${entry.type}).`);
  }
  return rel === '' ? null : rel;
}

/**
 * A link target with `..` after a name (`a/../x`, `../s/..`): the name may be a symlink, and the kernel
 * climbs from where the symlink points, not from where it stands, so the lexical check above would
 * not bound it. Leading `..`s climb through the link's own parents, which are real directories
 * (nothing is written through a symlink), so they are checked lexically.
 */
function climbsAfterName(target: string): boolean {
  let named = false;
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (named) return true;
    } else {
      named = true;
    }
  }
  return false;
}

/** Throws when `rel` would be written through one of the archive's own symlinks (the destination starts empty). */
function assertNotThroughSymlink(rel: string, symlinks: Set<string>): void {
  for (let i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) {
    if (symlinks.has(rel.slice(0, i))) throw new TarballError(`Tarball entry "${rel}" is written through a symlink; refusing it.`);
  }
}

/** Extracts `source` (tar, optionally gzipped) into `dest`, which must be empty or absent. */
export async function extractTarball(source: Readable, dest: string, opts: ExtractOptions): Promise<ExtractResult> {
  await mkdir(dest, { recursive: true });
  let files = 0;
  let bytes = 0;
  let entries = 0;
  let refused: TarballError | undefined;
  const symlinks = new Set<string>();
  const maxEntries = opts.maxEntries ?? MAX_ENTRIES;
  const seen = new WeakSet<object>();
  const refuse = (err: unknown) => {
    refused ??= err instanceof TarballError ? err : asTarballError(err);
  };
  const unpack = new Unpack({
    cwd: dest,
    strict: true,
    // Ownership and times are the archive's business only on the author's machine.
    preserveOwner: false,
    noMtime: true,
    // Overwrite what an earlier entry wrote at the same path, as tar(1) does.
    unlink: true,
    filter: (_p: string, entry: ReadEntry | unknown) => {
      const e = entry as ReadEntry;
      seen.add(e);
      if (refused) return false;
      try {
        if (++entries > maxEntries) throw new TarballError(`Tarball has more than ${maxEntries} entries; refusing it.`);
        const rel = checkEntry({ name: e.path, type: e.type, linkname: String(e.linkpath ?? '') });
        if (rel !== null) {
          assertNotThroughSymlink(rel, symlinks);
          if (e.type === 'SymbolicLink') symlinks.add(rel);
          else symlinks.delete(rel);
        }
        if (FILE_TYPES.has(e.type)) {
          bytes += e.size ?? 0;
          if (bytes > opts.maxBytes) throw new TarballError(`Tarball expands to more than ${opts.maxBytes} bytes; refusing it (size limit).`);
          files++;
        }
        // The owner can always read and write what it unpacked (the old tarball's modes otherwise).
        if (e.mode !== undefined) e.mode = (e.mode & 0o777) | (e.type === 'Directory' ? 0o700 : 0o600);
        return rel !== null;
      } catch (err) {
        refuse(err);
        return false;
      }
    },
  });
  // Entries node-tar skips by itself (types it does not extract, such as GNU sparse files, and
  // oversized extended headers) are refused too: silently dropping part of an app is worse.
  unpack.on('ignoredEntry', (entry: ReadEntry) => {
    if (seen.has(entry) || refused) return;
    if (entry.meta) refuse(new TarballError('Tarball has an oversized extended header.'));
    else refuse(new TarballError(`Tarball entry "${entry.path}" has an unsupported type (${entry.type}).`));
  });
  let input: Readable | undefined;
  try {
    input = await maybeGunzip(source, opts.maxBytes);
  } catch (err) {
    source.destroy();
    throw asTarballError(err);
  }
  const failure = await feed(input, unpack);
  if (failure !== undefined || refused) source.destroy();
  if (refused) throw refused;
  if (failure !== undefined) throw asTarballError(failure);
  return { files, bytes };
}

/**
 * Writes `input` into `unpack` and resolves once every file it started is written (node-tar's
 * `finish`), with the first error seen or undefined. Errors stop the input but never abandon writes
 * in flight: the caller deletes the directory right after, and must not race node-tar.
 */
function feed(input: Readable, unpack: Unpack): Promise<unknown> {
  return new Promise((resolve) => {
    let failure: unknown;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      input.pause();
      unpack.end();
    };
    unpack.on('error', (err: unknown) => {
      failure ??= err;
      end();
    });
    unpack.on('finish', () => resolve(failure));
    input.on('error', (err) => {
      failure ??= err;
      end();
    });
    input.on('end', end);
    input.on('data', (chunk: Buffer) => {
      if (ended) return;
      if (!unpack.write(chunk)) {
        input.pause();
        unpack.once('drain', () => { if (!ended) input.resume(); });
      }
    });
  });
}

/** node-tar's errors (codes TAR_*) and stream errors as the build's one error type. */
function asTarballError(err: unknown): SlipwayError {
  if (err instanceof SlipwayError) return err;
  const e = err as Error & { code?: string; tarCode?: string; path?: string };
  if (e.name === 'SymlinkError') return new TarballError(`Tarball entry "${e.path ?? '?'}" is written through a symlink; refusing it.`);
  const code = e.tarCode ?? e.code;
  if (code === 'TAR_BAD_ARCHIVE' || code === 'TAR_ENTRY_INVALID') return new TarballError(`Not a tar archive (${e.message}).`);
  if (code === 'TAR_ABORT' && e.message) return new TarballError(`Could not read the tarball: ${e.message}`);
  return new TarballError(`Could not read the tarball: ${e.message}`);
}

/**
 * Gunzips (when the stream starts with gzip's magic bytes) with a cap on the decompressed bytes:
 * headers and padding add to the file bytes, so the cap has generous slack over `maxBytes`.
 */
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
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) return rest;
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
