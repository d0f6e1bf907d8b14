/**
 * Git authentication for Slipway remotes: the repo's local git config gets a credential helper
 * for the API's URL that runs `slipway git:credentials`, which answers with username `slipway` and
 * the current API token (SLIPWAY_API_KEY or ~/.netrc). The token is never written to git config.
 */
import { gitOk } from './git.js';

/** A shell-safe single-quoted word (the helper string is run by git through `sh`). */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `!…` helper value that runs this CLI's `git:credentials`. */
export function helperValue(selfCommand: readonly string[]): string {
  return `!${selfCommand.map(sq).join(' ')} git:credentials`;
}

/** `http://localhost:5000`: the URL prefix git matches credentials against. */
export function credentialContext(apiUrl: string): string {
  const u = new URL(apiUrl);
  return `${u.protocol}//${u.host}`;
}

/** Sets the helper in the repo at `cwd` (local config), replacing inherited helpers for that URL. */
export async function configureCredentialHelper(cwd: string, apiUrl: string, selfCommand: readonly string[]): Promise<void> {
  const key = `credential.${credentialContext(apiUrl)}.helper`;
  await gitOk(cwd, ['config', '--local', '--replace-all', key, '']);
  await gitOk(cwd, ['config', '--local', '--add', key, helperValue(selfCommand)]);
}

/** Parses git's credential protocol (`key=value` lines). */
export function parseCredentialInput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).replace(/\r$/, '');
  }
  return out;
}

/** Adds or updates the remote `name` to `url`. */
export async function setRemote(cwd: string, name: string, url: string): Promise<'added' | 'updated'> {
  const names = (await gitOk(cwd, ['remote'])).split('\n').map((s) => s.trim());
  if (names.includes(name)) {
    await gitOk(cwd, ['remote', 'set-url', name, url]);
    return 'updated';
  }
  await gitOk(cwd, ['remote', 'add', name, url]);
  return 'added';
}
