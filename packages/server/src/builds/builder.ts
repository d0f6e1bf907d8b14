/**
 * The builder: git pushes and Builds API requests become builds, one at a time per app (different
 * apps build side by side), each producing a slug and a release through the apps service.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import os from 'node:os';
import { Transform } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rm, mkdir, mkdtemp, chmod } from 'node:fs/promises';
import path from 'node:path';
import { apiBaseUrl, type Config } from '../config.js';
import { ConflictError, InvalidParamsError, SlipwayError } from '../errors.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import type { AppRecord, BuildRecord, ReleaseRecord, Store, UserRecord } from '../store/types.js';
import { createOutputStore, type OutputStore } from './build-output.js';
import { createSigner, type Signer } from './signer.js';
import { parseBuildpackRef } from './buildpacks.js';
import { BuildFailedError } from './buildpack-runner.js';
import { exec } from './exec.js';
import { createGitHttp, type HookRequest, type Push } from './git-http.js';
import { decidePush } from './push.js';
import { indentError, runPipeline, type RunReleasePhase, type SourceContext } from './pipeline.js';
import { createRepoKeeper, repoDir } from './repo.js';
import { fetchRepoCommit, redactRepoUrl, remoteBranchTip, type RepoCommit } from './repo-source.js';
import { createProcessSandbox, type BuildSandbox } from './sandbox.js';
import { collectSlugs } from './slug.js';
import { readAppJsonFile } from './app-json.js';
import { extractTarball } from './tarball.js';
import { gitEnv, openGitSource, openUrlSource, sourceBlobProblem, withChecksum, type OpenedSource } from './source.js';

/** What the builder needs from the apps service. */
export interface AppsPort {
  resolve(user: UserRecord, idOrName: string): Promise<AppRecord>;
  deployRelease(input: { app: AppRecord; slugId: string; description: string; user: UserRecord }): Promise<ReleaseRecord>;
}

export interface BuilderDeps {
  config: Config;
  store: Store;
  apps: AppsPort;
  logs: LogSink;
  logger: Logger;
  events: EventBus;
  /** The user behind a request's Authorization header (bearer or basic with the token as password). */
  authenticate(req: IncomingMessage): Promise<UserRecord | undefined>;
  sandbox?: BuildSandbox;
  runReleasePhase?: RunReleasePhase;
}

export interface StagedSource {
  sourceUrl: string;
  /** The text of the source's app.json, if it has one. */
  appJson: string | undefined;
  /** Deletes the staged copy (the setup was refused before building). */
  discard(): Promise<void>;
}

export interface CreateBuildInput {
  app: AppRecord;
  user: UserRecord;
  sourceUrl: string;
  sourceVersion?: string | null;
  sourceChecksum?: string | null;
  buildpacks?: string[];
}

/** A commit of a remote repository to build (auto-deploy). */
export interface DeployCommitInput {
  app: AppRecord;
  user: UserRecord;
  commit: RepoCommit;
}

export interface Builder {
  /** The API server's `preRoute`: git smart HTTP and the hook callback. */
  gitHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Starts a build from a source tarball; returns at once with the pending build. */
  createBuild(input: CreateBuildInput): Promise<BuildRecord>;
  /**
   * Starts a build of one commit of a remote repository, fetched inside the build sandbox; returns
   * at once with the pending build. A ConflictError when the app is already building.
   */
  deployCommit(input: DeployCommitInput): Promise<BuildRecord>;
  /** The tip of a branch of a remote repository (read from the build sandbox's network), or undefined. */
  branchTip(url: string, branch: string): Promise<string | undefined>;
  /** Resolves when the build finishes (tests, CLIs waiting). */
  waitForBuild(buildId: string): Promise<void>;
  buildOutputUrl(buildId: string): string;
  /** `releases:output`: the release phase's output, or the output of the build that made the release. */
  releaseOutputUrl(appId: string, releaseId: string): string;
  outputs: OutputStore;
  /** Signs upload and download URLs. */
  signer: Signer;
  /** Where `/sources` uploads are kept. */
  sourcesDir: string;
  deleteCache(appId: string): Promise<void>;
  /**
   * Fetches a source tarball (http(s) or an own upload) into a new upload of this platform and reads
   * its app.json and heroku.yml (app setups decide from them before creating anything). The
   * returned `sourceUrl` builds from that copy.
   */
  stageSource(url: string, checksum?: string | null): Promise<StagedSource>;
  /** Keeps a release's release-phase output (a promotion's release phase runs outside a build). */
  saveReleaseOutput(releaseId: string, text: string): Promise<void>;
  stop(): Promise<void>;
}

interface Running {
  buildId: string;
  abort: AbortController;
  done: Promise<void>;
}

export function createBuilder(deps: BuilderDeps): Builder {
  const { config, store, logger } = deps;
  const log = logger.child({ component: 'builder' });
  const sandbox = deps.sandbox ?? createProcessSandbox({ logger: log });
  const internalToken = config.internalToken !== '' ? config.internalToken : randomBytes(24).toString('hex');
  const signer = createSigner(internalToken);
  const outputs = createOutputStore({ dir: path.join(config.dataDir, 'build-output'), signer });
  const repos = createRepoKeeper();
  const running = new Map<string, Running>(); // by app id
  const finished = new Map<string, Promise<void>>(); // by build id, while running
  let stopping = false;
  const base = () => apiBaseUrl(config);
  const webUrl = (app: AppRecord) => `http://${app.name}.${config.domain}${config.routerPort === 80 ? '' : `:${config.routerPort}`}/`;

  const dataDirReady = (async () => {
    await mkdir(config.dataDir, { recursive: true });
    if (typeof process.getuid === 'function' && process.getuid() === 0) await chmod(config.dataDir, 0o700);
  })();

  const unsubscribe = deps.events.on('app.destroyed', ({ appId }) => {
    const dir = repoDir(config.dataDir, appId);
    repos.forget(dir);
    void Promise.all([
      rm(dir, { recursive: true, force: true }),
      rm(path.join(config.dataDir, 'cache', appId), { recursive: true, force: true }),
    ]).catch((err) => log.warn('build.cleanup_failed', { app_id: appId, error: String(err) }));
  });

  async function saveReleaseOutput(releaseId: string, text: string): Promise<void> {
    const w = outputs.open('release', releaseId);
    w.write(text);
    await w.end();
  }

  /** Claims the app's build slot, or says who holds it. */
  function claim(appId: string): AbortController {
    if (stopping) throw new SlipwayError('unavailable', 'The builder is shutting down.');
    if (running.has(appId)) throw new ConflictError('A build is already in progress for this app; wait for it to finish and try again.');
    const abort = new AbortController();
    running.set(appId, { buildId: '', abort, done: Promise.resolve() });
    return abort;
  }

  /** Runs a build in the claimed slot; resolves with whether it succeeded. */
  async function execute(opts: {
    app: AppRecord; user: UserRecord; build: BuildRecord; abort: AbortController; open(ctx: SourceContext): Promise<OpenedSource>;
    versionLabel: string; commit: string | null; commitDescription: string | null; buildpacks: string[]; tee?: (t: string) => void;
  }): Promise<boolean> {
    const { app, build } = opts;
    const writer = outputs.open('build', build.id);
    const out = (t: string) => {
      writer.write(t);
      opts.tee?.(t);
    };
    deps.logs.publish(app.id, { source: 'app', dyno: 'api', message: `Build started by user ${opts.user.email}` });
    log.info('build.start', { app: app.name, build: build.id });
    let ok = false;
    try {
      await dataDirReady;
      const outcome = await runPipeline({
        config, store, sandbox, runReleasePhase: deps.runReleasePhase, webUrl,
        deployRelease: (i) => deps.apps.deployRelease(i),
        saveReleaseOutput,
      }, {
        app, user: opts.user, build, openSource: opts.open, versionLabel: opts.versionLabel, commit: opts.commit,
        commitDescription: opts.commitDescription, buildpacks: opts.buildpacks, signal: opts.abort.signal, out,
      });
      await store.builds.update(build.id, { status: 'succeeded', slugId: outcome.slug.id, releaseId: outcome.release.id });
      deps.logs.publish(app.id, { source: 'app', dyno: 'api', message: `Build succeeded` });
      ok = true;
      await collectSlugs({ store, appId: app.id, dataDir: config.dataDir, keep: config.slugRetainReleases })
        .catch((err) => log.warn('build.slug_gc_failed', { app: app.name, error: String(err) }));
    } catch (err) {
      const message = err instanceof SlipwayError ? err.message : 'Internal error while building.';
      if (!(err instanceof SlipwayError)) log.error('build.error', { app: app.name, build: build.id, error: (err as Error)?.stack ?? String(err) });
      out('\n' + indentError(message));
      const releaseId = err instanceof BuildFailedError ? err.releaseId : undefined;
      await store.builds.update(build.id, { status: 'failed', ...(releaseId ? { releaseId } : {}) }).catch(() => undefined);
      deps.logs.publish(app.id, { source: 'app', dyno: 'api', message: `Build failed -- check your build output: ${base()}${outputs.streamPath('build', build.id)}` });
    } finally {
      await writer.end();
      log.info('build.finish', { app: app.name, build: build.id, status: ok ? 'succeeded' : 'failed' });
    }
    return ok;
  }

  function track(appId: string, buildId: string, abort: AbortController, done: Promise<void>): void {
    running.set(appId, { buildId, abort, done });
    finished.set(buildId, done);
    void done.finally(() => {
      running.delete(appId);
      finished.delete(buildId);
    });
  }

  async function receive(push: Push, hook: HookRequest, write: (t: string) => void, signal: AbortSignal): Promise<number> {
    const decision = decidePush(hook.updates);
    if (decision.kind === 'reject') {
      write(indentError(decision.message));
      return 1;
    }
    if (decision.kind === 'accept-without-build') {
      if (decision.message) write(`-----> ${decision.message}\n`);
      return 0;
    }
    const { app, user } = push;
    let abort: AbortController;
    try {
      abort = claim(app.id);
    } catch (err) {
      write(indentError(`${(err as Error).message}\nPush rejected to ${app.name}.`));
      return 1;
    }
    signal.addEventListener('abort', () => abort.abort(), { once: true });
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    let tracked = false;
    try {
      const src = { repoDir: push.repoDir, sha: decision.sha, objectDirectory: hook.objectDirectory, alternateObjectDirectories: hook.alternateObjectDirectories };
      const subject = await exec('git', ['show', '-s', '--format=%s', decision.sha], { env: gitEnv(src) });
      const build = await store.builds.create({
        appId: app.id, status: 'pending', sourceUrl: `${base()}/${app.name}.git`, sourceVersion: decision.sha, sourceChecksum: null,
        buildpacks: (await store.buildpacks.list(app.id)).map((b) => b.url), slugId: null, releaseId: null, userId: user.id,
      });
      track(app.id, build.id, abort, done);
      tracked = true;
      const ok = await execute({
        app, user, build, abort, open: async () => openGitSource(src), versionLabel: decision.sha.slice(0, 7), commit: decision.sha,
        commitDescription: subject.code === 0 ? subject.stdout.trim() : null, buildpacks: [], tee: write,
      });
      if (!ok) write(indentError(`Push rejected to ${app.name}.`));
      return ok ? 0 : 1;
    } finally {
      resolveDone();
      if (!tracked) running.delete(app.id);
    }
  }

  const git = createGitHttp({
    reposDir: path.join(config.dataDir, 'repos'),
    internalToken,
    logger: log,
    authenticate: deps.authenticate,
    resolveApp: (user, name) => deps.apps.resolve(user, name),
    repoDirFor: (app) => repoDir(config.dataDir, app.id),
    ensureRepo: async (dir) => {
      await dataDirReady;
      await repos.ensure(dir);
    },
    receive,
  });

  const builder: Builder = {
    gitHandler: (req, res) => git.handle(req, res),
    outputs,
    signer,
    sourcesDir: path.join(config.dataDir, 'sources'),
    async createBuild(input) {
      const problem = sourceBlobProblem(input.sourceUrl, input.sourceChecksum);
      if (problem) throw new InvalidParamsError(problem.message, problem.field);
      for (const bp of input.buildpacks ?? []) parseBuildpackRef(bp);
      const abort = claim(input.app.id);
      let build: BuildRecord;
      try {
        build = await store.builds.create({
          appId: input.app.id, status: 'pending', sourceUrl: input.sourceUrl, sourceVersion: input.sourceVersion ?? null,
          sourceChecksum: input.sourceChecksum ?? null, buildpacks: input.buildpacks ?? (await store.buildpacks.list(input.app.id)).map((b) => b.url),
          slugId: null, releaseId: null, userId: input.user.id,
        });
      } catch (err) {
        running.delete(input.app.id);
        throw err;
      }
      const done = execute({
        app: input.app, user: input.user, build, abort,
        open: async () => withChecksum(await openUploadOrUrl(input.sourceUrl), input.sourceChecksum ?? null),
        versionLabel: (input.sourceVersion ?? build.id).slice(0, 7), commit: input.sourceVersion ?? null, commitDescription: null,
        buildpacks: input.buildpacks ?? [],
      }).then(() => undefined);
      track(input.app.id, build.id, abort, done);
      return build;
    },
    async deployCommit(input) {
      const { app, user, commit } = input;
      const abort = claim(app.id);
      let build: BuildRecord;
      try {
        build = await store.builds.create({
          appId: app.id, status: 'pending', sourceUrl: redactRepoUrl(commit.url), sourceVersion: commit.sha, sourceChecksum: null,
          buildpacks: (await store.buildpacks.list(app.id)).map((b) => b.url), slugId: null, releaseId: null, userId: user.id,
        });
      } catch (err) {
        running.delete(app.id);
        throw err;
      }
      const done = execute({
        app, user, build, abort, open: (ctx) => fetchRepoCommit(ctx, commit),
        versionLabel: commit.sha.slice(0, 7), commit: commit.sha, commitDescription: null, buildpacks: [],
      }).then(() => undefined);
      track(app.id, build.id, abort, done);
      return build;
    },
    branchTip: (url, branch) => remoteBranchTip(sandbox, url, branch, 60_000),
    async waitForBuild(buildId) {
      await finished.get(buildId);
    },
    buildOutputUrl: (buildId) => `${base()}${outputs.streamPath('build', buildId)}`,
    releaseOutputUrl: (appId, releaseId) => `${base()}/streams/release/${appId}/${releaseId}/${signer.sign('release-stream', `${appId}/${releaseId}`)}`,
    async deleteCache(appId) {
      await rm(path.join(config.dataDir, 'cache', appId), { recursive: true, force: true });
    },
    saveReleaseOutput,
    async stageSource(url, checksum) {
      await dataDirReady;
      const sourcesDir = path.join(config.dataDir, 'sources');
      await mkdir(sourcesDir, { recursive: true, mode: 0o700 });
      const id = randomUUID();
      const file = path.join(sourcesDir, `${id}.tgz`);
      try {
        const src = withChecksum(await openUploadOrUrl(url), checksum ?? null);
        await streamPipeline(src.stream, capBytes(config.slugMaxBytes), createWriteStream(file, { mode: 0o600 }));
        await src.done;
        const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-stage-'));
        try {
          await extractTarball(createReadStream(file), dir, { maxBytes: config.slugMaxBytes });
          return {
            sourceUrl: `${base()}/sources/${id}/${signer.sign('source', id)}`,
            appJson: await readAppJsonFile(dir),
            discard: () => rm(file, { force: true }),
          };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      } catch (err) {
        await rm(file, { force: true });
        throw err;
      }
    },
    async stop() {
      stopping = true;
      unsubscribe();
      const all = [...running.values()];
      for (const r of all) r.abort.abort();
      await Promise.all(all.map((r) => r.done.catch(() => undefined)));
      await sandbox.close();
    },
  };

  /** Our own `/sources` uploads are read from the data dir; anything else via http(s) (checked at creation). */
  async function openUploadOrUrl(url: string): Promise<OpenedSource> {
    const own = sourceUploadPath(url);
    if (own) return openUrlSource(own, undefined);
    // http(s) from inside the build sandbox's own network when it has one (runc): never from here.
    return openUrlSource(url, sandbox.owner, sandbox.fetchSource?.bind(sandbox));
  }

  function sourceUploadPath(url: string): string | undefined {
    const prefix = `${base()}/sources/`;
    if (!url.startsWith(prefix)) return undefined;
    const [id, sig] = url.slice(prefix.length).split('/');
    if (!id || !sig || !/^[\w-]+$/.test(id) || !signer.verify('source', id, sig)) return undefined;
    return path.join(config.dataDir, 'sources', `${id}.tgz`);
  }

  return builder;
}

/** Passes bytes through until `max`, then fails with Heroku's size message. */
function capBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) cb(new InvalidParamsError(`The source tarball is larger than ${max} bytes.`, 'source_blob'));
      else cb(null, chunk);
    },
  });
}
