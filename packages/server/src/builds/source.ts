/**
 * Where a build's source comes from: a pushed commit (`git archive` of the quarantined objects), a
 * tarball over http(s), or one of the platform's own `/sources` uploads (read from its data dir).
 * A build created through the API names an http(s) URL only (`sourceBlobProblem`, checked at
 * creation); local files are still read as the sandbox user, as a second line of defence.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { InvalidParamsError } from '../errors.js';

export interface OpenedSource {
  stream: Readable;
  /** Resolves when the producer finished cleanly; rejects with a user-facing message otherwise. */
  done: Promise<void>;
  /** What the source says about itself (a fetched commit's subject), when the job did not know. */
  description?: string | null;
}

export interface GitSource {
  repoDir: string;
  sha: string;
  /** The quarantine environment of the push (objects not yet in the repo). */
  objectDirectory: string | null;
  alternateObjectDirectories: string | null;
}

const SAFE_PATH = '/usr/local/bin:/usr/bin:/bin';

export function gitEnv(src: Pick<GitSource, 'repoDir' | 'objectDirectory' | 'alternateObjectDirectories'>): Record<string, string> {
  const env: Record<string, string> = { PATH: SAFE_PATH, GIT_DIR: src.repoDir, HOME: src.repoDir };
  if (src.objectDirectory) env.GIT_OBJECT_DIRECTORY = src.objectDirectory;
  if (src.alternateObjectDirectories) env.GIT_ALTERNATE_OBJECT_DIRECTORIES = src.alternateObjectDirectories;
  return env;
}

export function openGitSource(src: GitSource): OpenedSource {
  if (!/^[0-9a-f]{40}$/.test(src.sha)) throw new InvalidParamsError('Bad commit id.');
  return fromChild('git', ['archive', '--format=tar', src.sha], { env: gitEnv(src) }, 'git archive');
}

/** Fetches an http(s) URL somewhere other than the platform process (the build sandbox's network). */
export type SourceFetcher = (url: string) => Promise<OpenedSource>;

export async function openUrlSource(url: string, owner: { uid: number; gid: number } | undefined, fetcher?: SourceFetcher): Promise<OpenedSource> {
  if (/^https?:\/\//i.test(url)) {
    if (fetcher) return fetcher(url);
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow' });
    } catch (err) {
      throw new InvalidParamsError(`Could not fetch source_blob.url: ${(err as Error).message}`, 'source_blob');
    }
    if (!res.ok || !res.body) throw new InvalidParamsError(`Could not fetch source_blob.url: HTTP ${res.status}.`, 'source_blob');
    return { stream: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), done: Promise.resolve() };
  }
  let file: string;
  if (url.startsWith('file://')) file = fileURLToPath(url);
  else if (url.startsWith('/')) file = url;
  else throw new InvalidParamsError('source_blob.url must be an http(s) URL, a file:// URL or an absolute path.', 'source_blob');
  return fromChild('cat', ['--', file], { env: { PATH: SAFE_PATH }, ...(owner ?? {}) }, 'reading source_blob');
}

function fromChild(file: string, args: string[], opts: { env: Record<string, string>; uid?: number; gid?: number }, what: string): OpenedSource {
  const child = spawn(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString('utf8');
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new InvalidParamsError(`${what} failed: ${err.message}`, 'source_blob')));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new InvalidParamsError(`${what} failed: ${stderr.trim().replace(/^cat: /, '') || `exit ${code}`}`, 'source_blob'));
    });
  });
  // Node discards a child's unread stdout when it exits (flushStdio): pipe it into a buffer the
  // consumer reads at its own pace, with backpressure.
  const stream = new PassThrough();
  child.stdout.pipe(stream);
  // The consumer may stop reading early (bad tarball); do not leave the child behind.
  stream.on('close', () => {
    if (!stream.readableEnded && child.exitCode === null) child.kill('SIGKILL');
  });
  done.catch(() => undefined);
  return { stream, done };
}

/** Heroku's form of `source_blob.checksum`: `SHA256:` and the hex digest of the tarball. */
export const SOURCE_CHECKSUM_PATTERN = /^SHA256:[0-9a-f]{64}$/i;

/**
 * Why a build cannot be created from this `source_blob`, checked when the build is created: the url
 * must be an absolute http(s) URL (Slipway's own `/sources` URLs are); other schemes (`file:`,
 * `ftp:`, `gopher:`, `data:`), relative URLs and paths are refused. A checksum must be Heroku's form.
 */
export function sourceBlobProblem(url: string, checksum: string | null | undefined): { field: string; message: string } | undefined {
  let parsed: URL | undefined;
  try {
    // eslint-disable-next-line no-control-regex -- control characters are what is looked for
    parsed = /[\u0000-\u0020\u007f]/.test(url) ? undefined : new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return { field: 'source_blob.url', message: 'source_blob.url must be an absolute http:// or https:// URL (upload a tarball with POST /sources for one).' };
  }
  if (checksum !== null && checksum !== undefined && !SOURCE_CHECKSUM_PATTERN.test(checksum)) {
    return { field: 'source_blob.checksum', message: 'source_blob.checksum must be SHA256:<64 hex digits> (the sha256 of the tarball).' };
  }
  return undefined;
}

/**
 * The source with its bytes hashed on the way through: `done` rejects with a clear message when the
 * tarball's sha256 is not `checksum` (`SHA256:<hex>`). Null checksum: the source unchanged.
 */
export function withChecksum(src: OpenedSource, checksum: string | null): OpenedSource {
  if (!checksum) return src;
  const expected = checksum.slice('SHA256:'.length).toLowerCase();
  const hash = createHash('sha256');
  const stream = new PassThrough();
  const read = new Promise<string>((resolve, reject) => {
    src.stream.on('data', (chunk: Buffer) => hash.update(chunk));
    src.stream.once('end', () => resolve(hash.digest('hex')));
    src.stream.once('error', reject);
    src.stream.once('close', () => reject(new InvalidParamsError('The source tarball ended early.', 'source_blob')));
  });
  read.catch(() => undefined);
  src.stream.pipe(stream);
  stream.on('close', () => {
    if (!src.stream.readableEnded) src.stream.destroy();
  });
  const done = Promise.all([src.done, read]).then(([, actual]) => {
    if (actual !== expected) {
      throw new InvalidParamsError(`The source tarball does not match source_blob.checksum: expected SHA256:${expected}, got SHA256:${actual}.`, 'source_blob');
    }
  });
  done.catch(() => undefined);
  return { stream, done };
}
