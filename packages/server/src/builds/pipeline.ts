/**
 * One build, start to finish: source → workspace → .slugignore → buildpacks (in the sandbox) →
 * Procfile → slug → release phase → release. Writes Heroku-style output as it goes; a failure
 * throws and leaves the app's current release untouched.
 */
import { constants } from 'node:fs';
import { lstat, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseProcfile, ProcfileError } from '@slipway/contract';
import type { Config } from '../config.js';
import { InvalidParamsError, SlipwayError } from '../errors.js';
import { parseAppJson, readAppJsonFile } from './app-json.js';
import { CONTAINER_STACK, parseHerokuYml, procfileText, readHerokuYmlFile } from './heroku-yml.js';
import type { AppRecord, BuildRecord, ReleaseRecord, SlugRecord, Store, UserRecord } from '../store/types.js';
import { buildpackName, builtinBuildpackDir, BUILTIN_BUILDPACKS, parseBuildpackRef, type BuildpackRef } from './buildpacks.js';
import { BuildFailedError, runBuildpacks, type Buildpack } from './buildpack-runner.js';
import type { BuildSandbox } from './sandbox.js';
import { applySlugignore } from './slugignore.js';
import { formatSize, packSlug } from './slug.js';
import { extractTarball } from './tarball.js';
import type { OpenedSource } from './source.js';
import { createWorkspace, grantWorkspace, removeWorkspace, restoreCache, saveCache, writeEnvDir, type Workspace } from './workspace.js';

/** What the release phase runs against: the slug and config the release will have. */
export interface ReleaseCandidate {
  appId: string;
  slugId: string;
  /** Absolute path of the slug tar.gz. */
  slugPath: string;
  config: Record<string, string>;
  description: string;
}

export type RunReleasePhase = (
  app: AppRecord,
  release: ReleaseCandidate,
  command: string,
  onOutput: (text: string) => void,
) => Promise<{ exitCode: number }>;

export interface PipelineDeps {
  config: Config;
  store: Store;
  sandbox: BuildSandbox;
  deployRelease(input: { app: AppRecord; slugId: string; description: string; user: UserRecord }): Promise<ReleaseRecord>;
  runReleasePhase?: RunReleasePhase;
  /** Saves a release's release-phase output (for `releases:output`). */
  saveReleaseOutput(releaseId: string, text: string): Promise<void>;
  webUrl(app: AppRecord): string;
}

/** What a source opener may use: the sandbox (to fetch from its network) and the workspace. */
export interface SourceContext {
  sandbox: BuildSandbox;
  ws: Workspace;
  deadline: number;
  signal: AbortSignal;
  out(text: string): void;
}

export interface BuildJob {
  app: AppRecord;
  user: UserRecord;
  build: BuildRecord;
  openSource(ctx: SourceContext): Promise<OpenedSource>;
  /** `Deploy <this>`: short commit or source version. */
  versionLabel: string;
  commit: string | null;
  commitDescription: string | null;
  /** Buildpacks asked for by this build; else the app's installations; else auto-detect. */
  buildpacks: string[];
  signal: AbortSignal;
  out(text: string): void;
}

export interface BuildOutcome {
  slug: SlugRecord;
  release: ReleaseRecord;
}

/** `heroku-24` → `Heroku-24`. */
export function stackLabel(stack: string): string {
  return stack.charAt(0).toUpperCase() + stack.slice(1);
}

export function indentError(message: string): string {
  return message.split('\n').map((l) => ` !     ${l.replace(/^\s+/, '')}`).join('\n') + '\n';
}

export async function runPipeline(pipelineDeps: PipelineDeps, job: BuildJob): Promise<BuildOutcome> {
  const { app, out } = job;
  // Every step of this build (and its release phase) runs as the app's own uid where the sandbox has one.
  const deps = pipelineDeps.sandbox.forApp ? { ...pipelineDeps, sandbox: await pipelineDeps.sandbox.forApp(app.id) } : pipelineDeps;
  const { config, store, sandbox } = deps;
  const deadline = Date.now() + config.buildTimeoutMs;
  const storedCache = path.join(config.dataDir, 'cache', app.id);
  out(`-----> Building on the ${stackLabel(app.stack)} stack\n`);
  const ws = await createWorkspace();
  let cacheRestored = false;
  try {
    const source = await job.openSource({ sandbox, ws, deadline, signal: job.signal, out });
    try {
      await extractTarball(source.stream, ws.appDir, { maxBytes: config.slugMaxBytes });
      source.stream.resume();
      await source.done;
    } catch (err) {
      source.stream.destroy();
      throw err;
    }
    await keepAppJson(store, app, ws.appDir, out);
    const manifestTypes = app.stack === CONTAINER_STACK ? await containerProcessTypes(ws.appDir, out) : {};
    const ignored = await applySlugignore(ws.appDir);
    if (ignored.length > 0) out(`-----> Removed ${ignored.length} path${ignored.length === 1 ? '' : 's'} listed in .slugignore\n`);

    const refs = (job.buildpacks.length > 0 ? job.buildpacks : (await store.buildpacks.list(app.id)).map((b) => b.url)).map(parseBuildpackRef);
    const auto = refs.length === 0;
    await restoreCache(storedCache, ws);
    cacheRestored = true;
    const vars = await store.configVars.get(app.id);
    await writeEnvDir(ws.envDir, vars);
    if (auto) out('-----> Determining which buildpack to use for this app\n');
    else for (const r of refs) out(`-----> Using buildpack: ${buildpackName(r)}\n`);
    const buildpacks = auto
      ? BUILTIN_BUILDPACKS.map((name) => ({ name: `heroku/${name}`, dir: builtinBuildpackDir(name) }))
      : await materializeBuildpacks(sandbox, ws, refs, deadline, job.signal, out);
    await grantWorkspace(ws, sandbox.owner);

    const env = buildEnv(ws, app, job, config.stack);
    const result = await runBuildpacks({
      sandbox, buildDir: ws.appDir, cacheDir: ws.cacheDir, envDir: ws.envDir, buildpacks, auto, env, deadline, signal: job.signal, out,
    });

    const procfile = await readProcfile(ws.appDir);
    const processTypes = { ...result.defaultProcessTypes, ...procfile, ...manifestTypes };
    out('-----> Discovering process types\n');
    out(`       Procfile declares types     -> ${Object.keys(procfile).join(', ') || '(none)'}\n`);
    if (Object.keys(result.defaultProcessTypes).length > 0) {
      out(`       Default types for buildpack -> ${Object.keys(result.defaultProcessTypes).join(', ')}\n`);
    }

    out('-----> Compressing...\n');
    const packed = await packSlug({ appDirParent: ws.root, dataDir: config.dataDir, maxBytes: config.slugMaxBytes });
    out(`       Done: ${formatSize(packed.size)}\n`);
    const slug = await store.slugs.create({
      appId: app.id, checksum: packed.checksum, size: packed.size, processTypes, commit: job.commit,
      commitDescription: job.commitDescription ?? source.description ?? null, buildpackProvidedDescription: result.descriptions.join(', ') || null,
      stack: app.stack, blobPath: packed.blobPath,
    });

    out('-----> Launching...\n');
    const description = `Deploy ${job.versionLabel}`;
    const releaseOutput = processTypes.release
      ? await runReleasePhase(deps, ws, job, slug, processTypes.release, description, deadline)
      : undefined;
    const release = await deps.deployRelease({ app, slugId: slug.id, description, user: job.user });
    if (releaseOutput !== undefined) await deps.saveReleaseOutput(release.id, releaseOutput);
    out(`       Released v${release.version}\n`);
    out(`       ${deps.webUrl(app)} deployed to Slipway\n`);
    return { slug, release };
  } finally {
    if (cacheRestored) await saveCache(ws, storedCache).catch(() => undefined);
    await removeWorkspace(ws).catch(() => undefined);
  }
}

/**
 * The container stack without Docker: heroku.yml's `run` (and `release`) give the process types, as
 * a Procfile would (one is written when the source has none, so the Procfile buildpack detects it);
 * `build.docker` is refused.
 */
async function containerProcessTypes(appDir: string, out: (t: string) => void): Promise<Record<string, string>> {
  let text: string | undefined;
  let manifest;
  try {
    text = await readHerokuYmlFile(appDir);
    if (text === undefined) throw new BuildFailedError('This app is on the container stack: its source needs a heroku.yml (with a run section) at the root.');
    manifest = parseHerokuYml(text);
  } catch (err) {
    if (err instanceof InvalidParamsError) throw new BuildFailedError(err.message);
    throw err;
  }
  if (manifest.dockerBuild) {
    throw new BuildFailedError('heroku.yml: build.docker is not supported yet. Slipway builds slugs with buildpacks, not Docker images: remove the build section to run the run section\'s commands on a buildpack-built slug.');
  }
  out('-----> Using heroku.yml: process types from its run section, built with buildpacks (no Docker)\n');
  const procfile = path.join(appDir, 'Procfile');
  const hasProcfile = await lstat(procfile).then(() => true, () => false);
  if (!hasProcfile && Object.keys(manifest.processTypes).length > 0) await writeFile(procfile, procfileText(manifest.processTypes), { mode: 0o644 });
  return manifest.processTypes;
}

/** Stores the source's app.json for the app (review apps and setups read it); a bad one is only a warning, as on Heroku. */
async function keepAppJson(store: Store, app: AppRecord, appDir: string, out: (t: string) => void): Promise<void> {
  try {
    const text = await readAppJsonFile(appDir);
    if (text !== undefined) await store.appManifests.put(app.id, parseAppJson(text));
  } catch (err) {
    if (!(err instanceof InvalidParamsError)) throw err;
    out(`-----> Ignoring app.json: ${err.message}\n`);
  }
}

/**
 * Runs the `release` process type before the release goes live and returns its output. A failure
 * records a failed release (the current one keeps serving) and throws.
 */
async function runReleasePhase(deps: PipelineDeps, ws: Workspace, job: BuildJob, slug: SlugRecord, command: string, description: string, deadline: number): Promise<string> {
  const { store, config } = deps;
  const { app, out } = job;
  const cfg = await store.configVars.get(app.id);
  out(`       Running release command: ${command}\n`);
  let text = '';
  const onOutput = (t: string) => {
    if (text.length < 4 * 1024 * 1024) text += t;
    out(t.replace(/^(?=.)/gm, '       '));
  };
  let exitCode: number;
  const candidate: ReleaseCandidate = { appId: app.id, slugId: slug.id, slugPath: path.join(config.dataDir, slug.blobPath!), config: cfg, description };
  if (deps.runReleasePhase) {
    exitCode = (await deps.runReleasePhase(app, candidate, command, onOutput)).exitCode;
  } else {
    // The build dir is exactly what the slug holds: run the command there, in the sandbox.
    const r = await deps.sandbox.run({
      file: '/bin/sh', args: ['-c', command], cwd: ws.appDir,
      env: { ...cfg, ...buildEnv(ws, app, job, config.stack), DYNO: 'release.1', PS: 'release.1' },
      timeoutMs: Math.max(deadline - Date.now(), 1), signal: job.signal, onOutput: (c) => onOutput(c.toString('utf8')),
    });
    exitCode = r.timedOut ? 124 : r.code ?? 1;
  }
  if (exitCode === 0) {
    out('       Release command succeeded\n');
    return text;
  }
  const failed = await store.releases.create({ appId: app.id, slugId: slug.id, config: cfg, description, status: 'failed', userId: job.user.id });
  await deps.saveReleaseOutput(failed.id, text);
  throw new BuildFailedError(`Release command failed (exit ${exitCode}): release v${failed.version} is marked failed and the current release keeps serving.`, failed.id);
}

/** `hostStack`: what buildpacks see as $STACK for a container-stack app (the stack the host provides). */
function buildEnv(ws: Workspace, app: AppRecord, job: BuildJob, hostStack: string): Record<string, string> {
  return {
    PATH: `${path.dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: ws.appDir,
    LANG: 'C.UTF-8',
    STACK: app.stack === CONTAINER_STACK ? hostStack : app.stack,
    SOURCE_VERSION: job.commit ?? job.versionLabel,
    REQUEST_ID: job.build.id,
    TMPDIR: ws.tmpDir,
  };
}

/** Copies local buildpacks and clones git ones into the workspace, as the sandbox user. */
async function materializeBuildpacks(sandbox: BuildSandbox, ws: Workspace, refs: BuildpackRef[], deadline: number, signal: AbortSignal, out: (t: string) => void): Promise<Buildpack[]> {
  const list: Buildpack[] = [];
  await grantWorkspace(ws, sandbox.owner);
  for (const [i, ref] of refs.entries()) {
    if (ref.kind === 'builtin') {
      list.push({ name: buildpackName(ref), dir: builtinBuildpackDir(ref.name) });
      continue;
    }
    const dir = path.join(ws.buildpacksDir, String(i));
    const args = ref.kind === 'git'
      ? ['git', ['clone', '--quiet', '--depth', '1', ...(ref.ref ? ['--branch', ref.ref] : []), '--', ref.repo, dir]]
      : ['cp', ['-R', '--', ref.path, dir]];
    let msg = '';
    const r = await sandbox.run({
      file: args[0] as string, args: args[1] as string[], cwd: ws.buildpacksDir,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: ws.buildpacksDir, GIT_TERMINAL_PROMPT: '0' },
      timeoutMs: Math.max(deadline - Date.now(), 1), signal, onOutput: (c) => {
        if (msg.length < 2000) msg += c.toString('utf8');
      },
    });
    if (r.code !== 0) throw new BuildFailedError(`Could not fetch buildpack ${ref.url}: ${msg.trim() || `exit ${r.code}`}`);
    out(`       Fetched buildpack ${ref.url}\n`);
    list.push({ name: ref.url, dir });
  }
  return list;
}

/** Reads `Procfile` without following symlinks (the build may have replaced it). */
async function readProcfile(appDir: string): Promise<Record<string, string>> {
  let text: string;
  try {
    const fh = await open(path.join(appDir, 'Procfile'), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new BuildFailedError('Procfile is not a regular file.');
      if (st.size > 64 * 1024) throw new BuildFailedError('Procfile is larger than 64 KB.');
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof SlipwayError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    if (code === 'ELOOP') throw new BuildFailedError('Procfile is a symlink; it must be a regular file.');
    throw err;
  }
  try {
    return parseProcfile(text).types;
  } catch (err) {
    if (err instanceof ProcfileError) throw new BuildFailedError(`Procfile is invalid:\n${err.message}`);
    throw err;
  }
}
