/**
 * What every route file gets: the services, the store for reads, and a few request helpers.
 */
import type { AppService } from '../../apps/index.js';
import type { Auth } from '../../auth/index.js';
import type { Config } from '../../config.js';
import { SlipwayError } from '../../errors.js';
import type { Logger } from '../../log/index.js';
import type { AppRecord, Store, UserRecord } from '../../store/types.js';
import type { Ctx } from '../http/index.js';

export interface RouteDeps {
  config: Config;
  store: Store;
  apps: AppService;
  auth: Auth;
  logger: Logger;
  /** Where a build's output can be streamed from (builder); without it releases say null. */
  buildOutputUrl?: (appId: string, buildId: string) => string;
}

/** The `:app` of the path, resolved with access checks (404 when not visible). */
export function loadApp(deps: RouteDeps, ctx: Ctx): Promise<AppRecord> {
  return deps.apps.resolve(ctx.user, ctx.params.app);
}

export function requireAdmin(ctx: Ctx): void {
  if (!ctx.user.admin) throw new SlipwayError('forbidden', 'Only admins can do this.');
}

/** Memoised user lookups for one request (owner and release emails). */
export function userLookup(store: Store): (id: string) => Promise<UserRecord | undefined> {
  const cache = new Map<string, Promise<UserRecord | undefined>>();
  return (id) => {
    let p = cache.get(id);
    if (!p) cache.set(id, (p = store.users.get(id)));
    return p;
  };
}
