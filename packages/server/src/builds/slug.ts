/**
 * Slugs: a tar.gz of the built app in Heroku's layout (every entry under `./app/`), stored
 * content-addressed as `<dataDir>/slugs/<sha256>.tgz` with its checksum (`SHA256:<hex>`).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { SlipwayError } from '../errors.js';
import type { ReleaseRecord, SlugRecord, Store } from '../store/types.js';
import { exec } from '../isolation/index.js';

/** Packing or unpacking a slug of up to SLIPWAY_SLUG_MAX_BYTES. */
const TAR_TIMEOUT_MS = 15 * 60_000;

export class SlugTooLargeError extends SlipwayError {
  constructor(size: number, max: number) {
    super('invalid_params', `Compiled slug size: ${formatSize(size)} is too large (max is ${formatSize(max)}).`);
    this.name = 'SlugTooLargeError';
  }
}

export interface PackedSlug {
  /** Relative to the data dir: `slugs/<sha256>.tgz`. */
  blobPath: string;
  checksum: string;
  size: number;
}

/** `23.4M` as Heroku prints slug sizes. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)}K`;
  return `${(bytes / (1024 * 1024)).toFixed(1)}M`;
}

/** Packs `<workspace>/app` into the slug store. `appDirParent` holds the `app` directory. */
export async function packSlug(opts: { appDirParent: string; dataDir: string; maxBytes: number }): Promise<PackedSlug> {
  const dir = path.join(opts.dataDir, 'slugs');
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tgz`);
  try {
    await exec('tar', ['--create', '--gzip', '--file', tmp, '--directory', opts.appDirParent, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', './app'], { timeoutMs: TAR_TIMEOUT_MS });
    const size = (await stat(tmp)).size;
    if (size > opts.maxBytes) throw new SlugTooLargeError(size, opts.maxBytes);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(tmp)) hash.update(chunk as Buffer);
    const hex = hash.digest('hex');
    const blobPath = path.join('slugs', `${hex}.tgz`);
    await rename(tmp, path.join(opts.dataDir, blobPath));
    return { blobPath, checksum: `SHA256:${hex}`, size };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Pure: which slugs may be deleted — all those not needed by the last `keep` releases (nor in use by a build in flight). */
export function slugsToCollect(slugs: SlugRecord[], releases: ReleaseRecord[], keep: number, protectedIds: Set<string> = new Set()): SlugRecord[] {
  const newest = [...releases].sort((a, b) => b.version - a.version);
  const needed = new Set<string>(protectedIds);
  for (const r of newest.slice(0, keep)) if (r.slugId) needed.add(r.slugId);
  const current = newest.find((r) => r.status === 'succeeded');
  if (current?.slugId) needed.add(current.slugId);
  return slugs.filter((s) => !needed.has(s.id));
}

/** Deletes old slugs of an app; a blob shared with a kept slug (same content) stays on disk. */
export async function collectSlugs(opts: { store: Store; appId: string; dataDir: string; keep: number; protectedIds?: Set<string> }): Promise<number> {
  const slugs = await opts.store.slugs.list(opts.appId);
  const releases = await opts.store.releases.list(opts.appId, { order: 'desc', limit: Math.max(opts.keep, 1) + 50 });
  const candidates = slugsToCollect(slugs, releases, opts.keep, opts.protectedIds);
  // A slug promoted to other apps stays while it is shared (their releases run it).
  const doomed: SlugRecord[] = [];
  for (const s of candidates) if ((await opts.store.slugs.sharedWith(s.id)).length === 0) doomed.push(s);
  const keptBlobs = new Set(slugs.filter((s) => !doomed.includes(s)).map((s) => s.blobPath));
  for (const s of doomed) {
    await opts.store.slugs.delete(s.id);
    if (s.blobPath && !keptBlobs.has(s.blobPath) && !(await blobUsedElsewhere(opts.store, s))) {
      await unlink(path.join(opts.dataDir, s.blobPath)).catch(() => undefined);
    }
  }
  return doomed.length;
}

/** Blobs are content-addressed, so two apps with identical slugs share one file. */
async function blobUsedElsewhere(store: Store, slug: SlugRecord): Promise<boolean> {
  for (const app of await store.apps.list()) {
    if (app.id === slug.appId) continue;
    if ((await store.slugs.list(app.id)).some((s) => s.blobPath === slug.blobPath)) return true;
  }
  return false;
}
