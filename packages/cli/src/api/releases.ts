/** Release look-ups shared by config:set, config:unset, releases:info and rollback. */
import type { Release } from '@slipway/contract';
import { path, type ApiClient } from './client.js';
import { CliError } from '../framework/errors.js';

/** The newest release's version (`Range: version ..; order=desc,max=1`), as config:set prints it. */
export async function latestReleaseVersion(ctx: { api: ApiClient }, app: string): Promise<number | undefined> {
  const list = await ctx.api.get<Release[]>(path`/apps/${app}/releases`, { range: 'version ..; order=desc,max=1', partial: true });
  return Array.isArray(list) && list.length > 0 ? Math.max(...list.map((r) => r.version)) : undefined;
}

/** `v12` or `12` → 12; anything else is an error. */
export function parseVersion(arg: string): number {
  const m = /^v?(\d+)$/i.exec(arg.trim());
  if (!m) throw new CliError(`Invalid release "${arg}": use a version such as v12.`);
  return Number(m[1]);
}

/** The newest releases, highest version first (`Range: version ..; max=N, order=desc`). */
export async function recentReleases(api: ApiClient, app: string, max: number): Promise<Release[]> {
  const list = await api.get<Release[]>(path`/apps/${app}/releases`, { range: `version ..; max=${max}, order=desc`, partial: true });
  return [...list].sort((a, b) => b.version - a.version);
}
