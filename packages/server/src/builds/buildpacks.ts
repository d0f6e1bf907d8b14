/**
 * Buildpack references (`heroku/nodejs`, `python`, a local path, `file://…`, a git URL with an
 * optional `#ref`) and the built-in buildpacks shipped in `packages/server/buildpacks/<name>`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidParamsError } from '../errors.js';

/** Built-ins in auto-detect order; Procfile-only is last, as it matches any app with a Procfile. */
export const BUILTIN_BUILDPACKS = ['nodejs', 'python', 'static', 'procfile'] as const;
export type BuiltinName = (typeof BUILTIN_BUILDPACKS)[number];

export type BuildpackRef =
  | { kind: 'builtin'; name: BuiltinName; url: string }
  | { kind: 'path'; path: string; url: string }
  | { kind: 'git'; repo: string; ref: string | undefined; url: string };

const ALIASES: Record<string, BuiltinName> = {
  'heroku/nodejs': 'nodejs', 'heroku/node': 'nodejs', node: 'nodejs', nodejs: 'nodejs',
  'https://github.com/heroku/heroku-buildpack-nodejs': 'nodejs',
  'heroku/python': 'python', python: 'python', 'https://github.com/heroku/heroku-buildpack-python': 'python',
  'heroku/static': 'static', 'slipway/static': 'static', static: 'static',
  'heroku/procfile': 'procfile', 'slipway/procfile': 'procfile', procfile: 'procfile',
};

/** Pure: what a buildpack string names. Throws InvalidParamsError for anything else. */
export function parseBuildpackRef(input: string): BuildpackRef {
  const url = input.trim();
  const bare = url.replace(/\.git$/, '').replace(/\/$/, '');
  const alias = ALIASES[bare.toLowerCase()];
  if (alias) return { kind: 'builtin', name: alias, url };
  if (url.startsWith('file://')) return { kind: 'path', path: fileURLToPath(url), url };
  if (url.startsWith('/')) return { kind: 'path', path: path.resolve(url), url };
  if (/^(https?|git):\/\/[^\s]+$/.test(url)) {
    const hash = url.indexOf('#');
    return hash < 0 ? { kind: 'git', repo: url, ref: undefined, url } : { kind: 'git', repo: url.slice(0, hash), ref: url.slice(hash + 1) || undefined, url };
  }
  throw new InvalidParamsError(`Unknown buildpack "${input}": use a built-in name (${BUILTIN_BUILDPACKS.map((n) => `heroku/${n}`).join(', ')}), an absolute path, a file:// URL or a git URL.`, 'buildpack');
}

/** The short name Heroku shows for a buildpack (`heroku/nodejs`, or the URL). */
export function buildpackName(ref: BuildpackRef): string {
  return ref.kind === 'builtin' ? `heroku/${ref.name}` : ref.url;
}

let cachedRoot: string | undefined;

/** `packages/server`, found from this file whether it runs from src (tsx) or dist. */
export function serverPackageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'buildpacks')) && existsSync(path.join(dir, 'package.json'))) return (cachedRoot = dir);
    dir = path.dirname(dir);
  }
  throw new Error('cannot find packages/server/buildpacks');
}

export function builtinBuildpackDir(name: BuiltinName): string {
  return path.join(serverPackageRoot(), 'buildpacks', name);
}
