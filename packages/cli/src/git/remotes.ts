/**
 * Git remotes that point at a Slipway app (`http(s)://host[:port]/<app>.git`) and choosing the
 * app from them. `pickAppFromRemotes` is pure; `listRemotes` runs `git remote -v`.
 */
import { CliError } from '../framework/errors.js';
import { git, isGitRepo } from './git.js';

export interface Remote {
  name: string;
  url: string;
}

const APP_URL = /^https?:\/\/(?:[^@/]*@)?([^/]+)\/([a-z][a-z0-9-]{2,29})\.git\/?$/;

/** `{ host, app }` when `url` looks like a Slipway (or Heroku-style) git URL. */
export function parseAppUrl(url: string): { host: string; app: string } | undefined {
  const m = APP_URL.exec(url.trim());
  return m ? { host: m[1].toLowerCase(), app: m[2] } : undefined;
}

/** The git URL of an app on the API at `apiUrl`: `http://localhost:5000/myapp.git`. */
export function gitUrl(apiUrl: string, app: string): string {
  const u = new URL(apiUrl);
  return `${u.protocol}//${u.host}/${app}.git`;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  const [ha, pa = ''] = splitHostPort(a);
  const [hb, pb = ''] = splitHostPort(b);
  return pa === pb && LOOPBACK.has(ha) && LOOPBACK.has(hb);
}
function splitHostPort(h: string): [string, string?] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
  return m ? [m[1], m[2]] : [h];
}

const PREFERRED = ['slipway', 'heroku'];

/**
 * The app named by the remotes. With `remote`, only that remote counts. Otherwise remotes on the
 * API's host count (any host for remotes named `slipway` or `heroku`); several different apps are
 * narrowed to the remote named `slipway`, then `heroku`; anything else is a clear error.
 */
export function pickAppFromRemotes(remotes: readonly Remote[], opts: { apiHost: string; remote?: string }): string {
  const hint = 'Use -a APP, or add a remote with `slipway git:remote -a APP`.';
  if (opts.remote) {
    const r = remotes.find((x) => x.name === opts.remote);
    if (!r) throw new CliError(`No git remote named "${opts.remote}" in this directory. ${hint}`);
    const parsed = parseAppUrl(r.url);
    if (!parsed) throw new CliError(`Git remote "${r.name}" (${r.url}) is not a Slipway app URL. ${hint}`);
    return parsed.app;
  }
  const candidates = remotes
    .map((r) => ({ ...r, parsed: parseAppUrl(r.url) }))
    .filter((r) => r.parsed && (sameHost(r.parsed.host, opts.apiHost.toLowerCase()) || PREFERRED.includes(r.name)));
  const apps = new Set(candidates.map((c) => c.parsed!.app));
  if (apps.size === 1) return [...apps][0];
  if (apps.size === 0) throw new CliError(`No app specified. ${hint}`);
  for (const name of PREFERRED) {
    const r = candidates.find((c) => c.name === name);
    if (r) return r.parsed!.app;
  }
  const list = candidates.map((c) => `${c.parsed!.app} (${c.name})`).join(', ');
  throw new CliError(`Multiple apps in git remotes: ${list}. Use -a APP or -r REMOTE.`);
}

/** Parses `git remote -v` output (fetch URLs). */
export function parseRemoteOutput(stdout: string): Remote[] {
  const out: Remote[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s+(\S+)(?:\s+\((fetch|push)\))?$/.exec(line.trim());
    if (m && m[3] !== 'push' && !out.some((r) => r.name === m[1])) out.push({ name: m[1], url: m[2] });
  }
  return out;
}

/** The remotes of the git repo at `cwd`; [] outside a repo. */
export async function listRemotes(cwd: string): Promise<Remote[]> {
  if (!(await isGitRepo(cwd))) return [];
  const r = await git(cwd, ['remote', '-v']);
  return r.code === 0 ? parseRemoteOutput(r.stdout) : [];
}
