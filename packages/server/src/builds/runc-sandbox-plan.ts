/**
 * Pure: how one buildpack step (a `SandboxRun` in host paths) becomes a runc container. The
 * builder speaks host paths of its workspace (`<tmp>/slipway-builds/<id>/{app,cache,env,tmp,
 * buildpacks}`, see workspace.ts); inside the container they are:
 *
 * | host                         | container                  | mode                         |
 * | ---                          | ---                        | ---                          |
 * | `<ws>/app` (BUILD_DIR)       | `/app`                     | read-write                   |
 * | `<ws>/cache` (CACHE_DIR)     | `/tmp/cache`               | read-write                   |
 * | `<ws>/env` (ENV_DIR)         | `/tmp/env`                 | read-only                    |
 * | `<ws>/tmp` (TMPDIR)          | `/tmp/build-tmp`           | read-write                   |
 * | `<ws>/buildpacks` (custom)   | `/tmp/buildpacks`          | read-write only while fetching, else read-only |
 * | built-in buildpacks          | `/opt/slipway/buildpacks`  | read-only                    |
 * | toolchain dirs (node prefix) | same path                  | read-only                    |
 * | a fetch step's local source  | `/tmp/buildpack-source/N`  | read-only (checked by the caller) |
 *
 * BUILD_DIR is `/app`, the path the slug runs at, so absolute paths a build writes (virtualenvs,
 * shebangs) stay valid in the dyno. Every host path in the file, args, cwd and env values is
 * rewritten; nothing else of the host is visible (the stack is bound read-only by `runIsolated`).
 */
import path from 'node:path';
import type { BindMount } from '../isolation/index.js';
import type { SandboxRun } from './sandbox.js';

export const CONTAINER_PATHS = {
  app: '/app',
  cache: '/tmp/cache',
  env: '/tmp/env',
  tmp: '/tmp/build-tmp',
  buildpacks: '/tmp/buildpacks',
  builtin: '/opt/slipway/buildpacks',
  sources: '/tmp/buildpack-source',
} as const;

/** Host dirs whose contents the stack already exposes read-only (never bound again). */
const STACK_PREFIXES = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

export interface SandboxLayout {
  /** Parent of every build workspace (`<tmp>/slipway-builds`). */
  workspaceParent: string;
  /** Host dir of the built-in buildpacks (with `lib.sh`). */
  builtinDir: string;
  /** Extra host dirs exposed read-only at the same path (e.g. node's prefix outside /usr). */
  toolchainDirs: string[];
}

export type StepInput = Pick<SandboxRun, 'file' | 'args' | 'cwd' | 'env'>;

export interface ContainerPlan {
  /** Host dir mounted read-write at `/app`. */
  appDir: string;
  binds: BindMount[];
  cmd: string[];
  env: Record<string, string>;
  cwd: string;
}

export class SandboxPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxPlanError';
  }
}

/** The workspace root a step's cwd lies in, or throws: steps only run inside a build workspace. */
export function workspaceRoot(cwd: string, workspaceParent: string): string {
  const rel = path.relative(workspaceParent, path.resolve(cwd));
  const first = rel.split(path.sep)[0];
  if (rel === '' || !first || first === '..' || path.isAbsolute(rel)) {
    throw new SandboxPlanError(`runc build sandbox: ${cwd} is not inside a build workspace under ${workspaceParent}`);
  }
  return path.join(workspaceParent, first);
}

/** A fetch step (copying or cloning a custom buildpack) runs in `<ws>/buildpacks`. */
export function isFetchStep(step: StepInput, layout: SandboxLayout): boolean {
  const root = workspaceRoot(step.cwd, layout.workspaceParent);
  return path.resolve(step.cwd) === path.join(root, 'buildpacks');
}

function isUnder(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Local paths a fetch step reads (a custom buildpack given by path): absolute arguments outside
 * the workspace and the stack. The caller decides which of them may be bound (never the data
 * dir, only what the build user could read anyway).
 */
export function fetchSources(step: StepInput, layout: SandboxLayout): string[] {
  if (!isFetchStep(step, layout)) return [];
  const root = workspaceRoot(step.cwd, layout.workspaceParent);
  return step.args.filter((a) => path.isAbsolute(a) && !isUnder(path.resolve(a), root) && !STACK_PREFIXES.some((s) => isUnder(path.resolve(a), s)));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rewrites host paths to container paths where they start a value or follow `:`, `=` or a space. */
export function translator(map: { host: string; container: string }[]): (s: string) => string {
  const sorted = [...map].sort((a, b) => b.host.length - a.host.length);
  if (sorted.length === 0) return (s) => s;
  const re = new RegExp(`(^|[:=\\s])(${sorted.map((m) => escapeRe(m.host)).join('|')})(?=$|[/:\\s])`, 'g');
  const to = new Map(sorted.map((m) => [m.host, m.container]));
  return (s) => s.replace(re, (_all, pre: string, host: string) => pre + (to.get(host) ?? host));
}

/** The toolchain dirs (node's prefix) bound read-only at their own path, unless the stack has them. */
export function toolchainBinds(layout: SandboxLayout): BindMount[] {
  const binds: BindMount[] = [];
  for (const dir of layout.toolchainDirs) {
    // `/` or a top-level dir (`/opt`, `/root`) would expose far more than a toolchain.
    const deepEnough = path.resolve(dir).split(path.sep).filter(Boolean).length >= 2;
    if (deepEnough && !STACK_PREFIXES.some((s) => isUnder(dir, s))) binds.push({ source: dir, destination: dir, readonly: true });
  }
  return binds;
}

/** A fetch source the caller allowed: the argument as given and the resolved path to bind. */
export interface ApprovedSource {
  arg: string;
  realPath: string;
}

/**
 * The container for one step. `approvedSources` are the fetch sources (from `fetchSources`) the
 * caller checked; any other stays an untranslated host path the container cannot see.
 */
export function planBuildStep(step: StepInput, layout: SandboxLayout, approvedSources: ApprovedSource[] = []): ContainerPlan {
  const root = workspaceRoot(step.cwd, layout.workspaceParent);
  const fetching = isFetchStep(step, layout);
  const ws = (name: string) => path.join(root, name);
  const binds: BindMount[] = [
    { source: ws('cache'), destination: CONTAINER_PATHS.cache, readonly: false },
    { source: ws('env'), destination: CONTAINER_PATHS.env, readonly: true },
    { source: ws('tmp'), destination: CONTAINER_PATHS.tmp, readonly: false },
    { source: ws('buildpacks'), destination: CONTAINER_PATHS.buildpacks, readonly: !fetching },
    { source: layout.builtinDir, destination: CONTAINER_PATHS.builtin, readonly: true },
  ];
  binds.push(...toolchainBinds(layout));
  const map = [{ host: ws('app'), container: CONTAINER_PATHS.app }, ...binds.filter((b) => b.source !== b.destination).map((b) => ({ host: b.source, container: b.destination }))];
  approvedSources.forEach((src, i) => {
    const destination = `${CONTAINER_PATHS.sources}/${i}`;
    binds.push({ source: src.realPath, destination, readonly: true });
    map.push({ host: src.arg, container: destination });
  });
  const tr = translator(map);
  return {
    appDir: ws('app'),
    binds,
    cmd: [tr(step.file), ...step.args.map(tr)],
    env: Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, tr(v)])),
    cwd: tr(path.resolve(step.cwd)),
  };
}
