/**
 * What every part of the app service shares: its dependencies, access checks and the one way a
 * change is announced (an audit event written in the change's transaction, then the platform line
 * on the app's log channel once it has committed).
 */
import type { Config } from '../config.js';
import { NotFoundError, SlipwayError } from '../errors.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import type { AppRecord, Repos, Store, UserRecord } from '../store/types.js';

export interface AppServiceDeps {
  store: Store;
  events: EventBus;
  logs: LogSink;
  config: Config;
  logger?: Logger;
  /** Integer in [0, n): for generated names (tests inject a seeded one). */
  random?: (n: number) => number;
  now?: () => Date;
}

/** A platform line recorded in a transaction and published after it commits. */
export interface Announcement {
  appId: string;
  message: string;
}

export interface ServiceContext extends AppServiceDeps {
  now: () => Date;
  /** Records the audit event inside `tx`; returns the line to publish after commit. */
  announce(tx: Repos, app: AppRecord, user: UserRecord | undefined, action: string, text: string, data?: Record<string, unknown>): Promise<Announcement>;
  publish(lines: Announcement[]): void;
  canAccess(user: UserRecord, app: AppRecord): Promise<boolean>;
  resolve(user: UserRecord, idOrName: string): Promise<AppRecord>;
  requireOwner(user: UserRecord, app: AppRecord, what: string): void;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function byUser(user: UserRecord | undefined): string {
  return user ? ` by user ${user.email}` : '';
}

export function createContext(deps: AppServiceDeps): ServiceContext {
  const { store, logs } = deps;
  const now = deps.now ?? (() => new Date());
  const canAccess = async (user: UserRecord, app: AppRecord): Promise<boolean> =>
    user.admin || app.ownerId === user.id || (await store.collaborators.find(app.id, user.id)) !== undefined;
  return {
    ...deps,
    now,
    async announce(tx, app, user, action, text, data = {}) {
      const message = text + byUser(user);
      await tx.audit.record({ appId: app.id, userId: user?.id ?? null, action, message, data });
      return { appId: app.id, message };
    },
    publish(lines) {
      for (const l of lines) logs.publish(l.appId, { source: 'app', dyno: 'api', message: l.message });
    },
    canAccess,
    async resolve(user, idOrName) {
      const app = (UUID.test(idOrName) ? await store.apps.get(idOrName) : undefined) ?? (await store.apps.findByName(idOrName));
      if (!app || !(await canAccess(user, app))) throw new NotFoundError('app');
      return app;
    },
    requireOwner(user, app, what) {
      if (!user.admin && app.ownerId !== user.id) throw new SlipwayError('forbidden', `Only the owner of ${app.name} can ${what}.`);
    },
  };
}
