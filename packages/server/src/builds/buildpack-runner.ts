/**
 * Heroku buildpack API v2: `bin/detect BUILD_DIR`, `bin/compile BUILD_DIR CACHE_DIR ENV_DIR`,
 * `bin/release BUILD_DIR`, for one or several buildpacks in order, every step in the sandbox.
 */
import path from 'node:path';
import { SlipwayError } from '../errors.js';
import { parseReleaseYaml, ReleaseYamlError, type BuildpackRelease } from './release-yaml.js';
import type { BuildSandbox, SandboxResult } from './sandbox.js';

export class BuildFailedError extends SlipwayError {
  /** Set when the build got as far as a (failed) release. */
  constructor(message: string, readonly releaseId?: string) {
    super('invalid_params', message);
    this.name = 'BuildFailedError';
  }
}

export interface Buildpack {
  /** Name shown to the user (`heroku/nodejs` or the URL). */
  name: string;
  /** Directory holding `bin/detect`, `bin/compile`, `bin/release`, readable by the sandbox user. */
  dir: string;
}

export interface RunBuildpacksInput {
  sandbox: BuildSandbox;
  buildDir: string;
  cacheDir: string;
  envDir: string;
  /** The app's buildpacks, run in order (each must detect); or candidates to auto-detect from. */
  buildpacks: Buildpack[];
  auto: boolean;
  /** Base environment for every step (PATH, HOME, STACK, SOURCE_VERSION…). */
  env: Record<string, string>;
  /** Epoch ms after which the build is killed. */
  deadline: number;
  signal?: AbortSignal;
  out(text: string): void;
}

export interface RunBuildpacksResult {
  used: Buildpack[];
  /** What `bin/detect` printed, e.g. `Node.js`. */
  descriptions: string[];
  defaultProcessTypes: Record<string, string>;
}

/** Pure: the buildpacks to run, from detect results in candidate order. */
export function chooseBuildpacks(candidates: { bp: Buildpack; detected: boolean }[], auto: boolean): { use: Buildpack[]; failed?: Buildpack } {
  if (auto) {
    const first = candidates.find((c) => c.detected);
    return { use: first ? [first.bp] : [] };
  }
  const failed = candidates.find((c) => !c.detected);
  return failed ? { use: [], failed: failed.bp } : { use: candidates.map((c) => c.bp) };
}

export async function runBuildpacks(input: RunBuildpacksInput): Promise<RunBuildpacksResult> {
  const { sandbox, buildDir } = input;
  const step = async (bp: Buildpack, script: string, args: string[], onOutput: (c: Buffer) => void): Promise<SandboxResult> => {
    const remaining = input.deadline - Date.now();
    if (remaining <= 0) throw new BuildFailedError('Build timed out.');
    const result = await sandbox.run({
      file: path.join(bp.dir, 'bin', script), args, cwd: buildDir, env: { ...input.env, BUILDPACK_DIR: bp.dir },
      timeoutMs: remaining, onOutput, signal: input.signal,
    });
    if (result.timedOut) throw new BuildFailedError('Build timed out.');
    if (result.aborted) throw new BuildFailedError('Build was cancelled.');
    return result;
  };

  const detections: { bp: Buildpack; detected: boolean; text: string }[] = [];
  for (const bp of input.buildpacks) {
    let text = '';
    const r = await step(bp, 'detect', [buildDir], (c) => {
      if (text.length < 4096) text += c.toString('utf8');
    });
    detections.push({ bp, detected: r.code === 0, text: text.trim().split('\n')[0] ?? '' });
    if (input.auto && r.code === 0) break;
  }
  const choice = chooseBuildpacks(detections, input.auto);
  if (choice.failed) throw new BuildFailedError(`App not compatible with buildpack: ${choice.failed.name}\n       bin/detect did not recognise this app.`);
  if (choice.use.length === 0) {
    throw new BuildFailedError('App not compatible with any officially supported buildpacks.\n       No Procfile, package.json, requirements.txt, static.json or public/ directory was found.\n       Add one, or set a buildpack with `heroku buildpacks:set`.');
  }

  const descriptions: string[] = [];
  let defaults: Record<string, string> = {};
  for (const bp of choice.use) {
    const detected = detections.find((d) => d.bp === bp)?.text || bp.name;
    descriptions.push(detected);
    input.out(`-----> ${detected} app detected\n`);
    const r = await step(bp, 'compile', [buildDir, input.cacheDir, input.envDir], (c) => input.out(c.toString('utf8')));
    if (r.code !== 0) throw new BuildFailedError(`Failed to compile ${detected} app.`);
    let yaml = '';
    const rel = await step(bp, 'release', [buildDir], (c) => {
      if (yaml.length < 64 * 1024) yaml += c.toString('utf8');
    });
    if (rel.code === 0) defaults = { ...defaults, ...releaseOf(detected, yaml).defaultProcessTypes };
  }
  return { used: choice.use, descriptions, defaultProcessTypes: defaults };
}

/** A buildpack's `bin/release` output; YAML that does not parse fails the build, naming the buildpack. */
function releaseOf(buildpack: string, yaml: string): BuildpackRelease {
  try {
    return parseReleaseYaml(yaml);
  } catch (err) {
    if (err instanceof ReleaseYamlError) throw new BuildFailedError(`${buildpack} buildpack: ${err.message}`);
    throw err;
  }
}
