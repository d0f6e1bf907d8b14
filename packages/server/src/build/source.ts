/**
 * Where a build's source comes from: a pushed commit (`git archive` of the quarantined objects), a
 * tarball over http(s), or a file the platform can read. Local files are read as the sandbox user,
 * so a build cannot name a file of the platform's data dir (another app's slug, the database).
 */
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { InvalidParamsError } from '../errors.js';

export interface OpenedSource {
  stream: Readable;
  /** Resolves when the producer finished cleanly; rejects with a user-facing message otherwise. */
  done: Promise<void>;
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
