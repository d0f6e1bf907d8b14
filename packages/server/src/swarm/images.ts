/**
 * Release images for Swarm dynos: each release runs from `<registry>/slipway/app-<appId>:<tag>`,
 * the stack image (stack-image.ts) plus one layer holding the slug at /app, owned by the dyno
 * user. Images are made on the manager's Docker daemon (the DOCKER_HOST Slipway already talks to):
 * the stack with `docker import` of a rootfs tar built once per content key, a release with a
 * two-line `docker build` (FROM the stack, COPY --chown the slug), then pushed to the registry every
 * node pulls from. Only the slug's layer is new per release, so a push sends only that.
 *
 * Cached: the stack per content key; a release image per (app, slug content, stack key), so a
 * config-only release, a scale-up or a restart never builds again. An image the daemon has lost is
 * pulled back from the registry before anything is rebuilt.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import type { Logger } from '../log/index.js';
import { stackKey, stackPackages, SWARM_DYNO_USER, writeStackTar } from './stack-image.js';

const run = promisify(execFile);

export interface ReleaseImages {
  /** The stack image's pushed reference (built or found once). */
  stackImage(): Promise<string>;
  /** The release's pushed reference; a null slug runs from the stack image. */
  imageFor(input: { appId: string; releaseVersion: number; slugPath: string | null }): Promise<string>;
}

export interface ReleaseImagesOptions {
  docker: Docker;
  /** `host:port` of the registry every node pulls from. */
  registry: string;
  dataDir: string;
  logger: Logger;
}

/** Waits for a Docker progress stream (pull, push, build, import) and throws its error, if any. */
export function followDocker(docker: Docker, stream: NodeJS.ReadableStream): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: Array<Record<string, unknown>>) => {
      if (err) return reject(err);
      const bad = events.find((e) => e.error !== undefined || e.errorDetail !== undefined);
      if (bad) return reject(new Error(String(bad.error ?? JSON.stringify(bad.errorDetail))));
      resolve(events);
    });
  });
}

async function hasImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

/** True when the registry has `ref` (pulled onto the manager's daemon if it was not there). */
async function presentOrPulled(docker: Docker, ref: string): Promise<boolean> {
  if (await hasImage(docker, ref)) return true;
  try {
    await followDocker(docker, await docker.pull(ref, { authconfig: {} }));
    return true;
  } catch {
    return false;
  }
}

async function push(docker: Docker, ref: string): Promise<void> {
  const colon = ref.lastIndexOf(':');
  const stream = await docker.getImage(ref.slice(0, colon)).push({ tag: ref.slice(colon + 1), authconfig: {} } as Docker.ImagePushOptions);
  await followDocker(docker, stream);
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function createReleaseImages(opts: ReleaseImagesOptions): ReleaseImages {
  const { docker, registry, logger } = opts;
  const workRoot = path.join(opts.dataDir, 'swarm-images');
  let stack: Promise<{ ref: string; key: string }> | null = null;
  const releases = new Map<string, Promise<string>>();
  const slugHashes = new Map<string, Promise<string>>();

  const buildStack = async (): Promise<{ ref: string; key: string }> => {
    const t0 = Date.now();
    const packages = await stackPackages();
    const key = stackKey(packages);
    const ref = `${registry}/slipway/stack:${key.slice(0, 16)}`;
    if (await presentOrPulled(docker, ref)) {
      logger.info('swarm.stack_image_found', { image: ref });
      return { ref, key };
    }
    await mkdir(workRoot, { recursive: true });
    const work = await mkdtemp(path.join(workRoot, 'stack-'));
    try {
      const tarFile = await writeStackTar(packages, work);
      const colon = ref.lastIndexOf(':');
      const stream = await docker.importImage(tarFile, {
        repo: ref.slice(0, colon), tag: ref.slice(colon + 1),
        changes: ['ENV PATH=/usr/local/bin:/usr/bin:/bin', 'ENV LANG=C.UTF-8', 'WORKDIR /app', `USER ${SWARM_DYNO_USER.uid}:${SWARM_DYNO_USER.gid}`],
      });
      await followDocker(docker, stream);
      await push(docker, ref);
      logger.info('swarm.stack_image_built', { image: ref, packages: packages.length, ms: Date.now() - t0 });
      return { ref, key };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };

  const stackEntry = () => {
    stack ??= buildStack().catch((err: unknown) => { stack = null; throw err; });
    return stack;
  };
  const stackImage = async () => (await stackEntry()).ref;

  const buildRelease = async (ref: string, stackRef: string, slugPath: string): Promise<string> => {
    if (await presentOrPulled(docker, ref)) return ref;
    const t0 = Date.now();
    await mkdir(workRoot, { recursive: true });
    const work = await mkdtemp(path.join(workRoot, 'release-'));
    try {
      // The slug is `./app/…`; the build context is that tree plus a Dockerfile.
      await run('tar', ['-xzf', slugPath, '-C', work, '--no-same-owner']);
      await mkdir(path.join(work, 'app'), { recursive: true });
      const u = SWARM_DYNO_USER;
      await writeFile(path.join(work, 'Dockerfile'), `FROM ${stackRef}\nCOPY --chown=${u.uid}:${u.gid} app /app\n`);
      const stream = await docker.buildImage({ context: work, src: ['Dockerfile', 'app'] }, { t: ref, forcerm: true, labels: { 'slipway.slug': path.basename(slugPath) } });
      await followDocker(docker, stream);
      await push(docker, ref);
      logger.info('swarm.release_image_built', { image: ref, ms: Date.now() - t0 });
      return ref;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };

  const imageFor: ReleaseImages['imageFor'] = async ({ appId, slugPath }) => {
    const s = await stackEntry();
    if (slugPath === null) return s.ref;
    let hash = slugHashes.get(slugPath);
    if (!hash) {
      hash = fileSha256(slugPath);
      slugHashes.set(slugPath, hash);
      hash.catch(() => slugHashes.delete(slugPath));
    }
    const tag = `${(await hash).slice(0, 20)}-${s.key.slice(0, 8)}`;
    const ref = `${registry}/slipway/app-${appId.toLowerCase().replace(/[^a-z0-9-]/g, '')}:${tag}`;
    let p = releases.get(ref);
    if (!p) {
      p = buildRelease(ref, s.ref, slugPath);
      releases.set(ref, p);
      p.catch(() => releases.delete(ref));
    }
    return p;
  };

  return { stackImage, imageFor };
}
