/**
 * Apps: list, create (generated or given name, with its default domain and v1 "Initial release"),
 * rename, maintenance, destroy.
 */
import { InvalidParamsError, SlipwayError } from '../errors.js';
import type { AppRecord, Repos, UserRecord } from '../store/types.js';
import type { Announcement, ServiceContext } from './context.js';
import { appNameProblem, generateAppName } from './names.js';

export interface CreateAppInput {
  name?: string;
  region?: string;
  stack?: string;
}

export interface UpdateAppInput {
  name?: string;
  maintenance?: boolean;
  stack?: string;
  /** The `preboot` app feature: web dynos of a new release start before the old ones stop. */
  preboot?: boolean;
}

const NAME_ATTEMPTS = 20;

export function defaultHostname(appName: string, domain: string): string {
  return `${appName}.${domain}`;
}

/** Two creates racing for one name: the store reports the loser as a duplicate. */
function isUniqueViolation(err: unknown): boolean {
  return (err as Error)?.name === 'DuplicateError' || (err instanceof SlipwayError && err.code === 'name_taken');
}

export function appOps(ctx: ServiceContext) {
  const { store, events, config } = ctx;

  const nameTaken = (name: string) => new SlipwayError('name_taken', `Name ${name} is already taken`, { field: 'name' });

  async function nameAvailable(tx: Repos, name: string): Promise<boolean> {
    return !(await tx.apps.findByName(name)) && !(await tx.domains.findByHostname(defaultHostname(name, config.domain)));
  }

  async function create(user: UserRecord, input: CreateAppInput): Promise<AppRecord> {
    if (input.name !== undefined) {
      const problem = appNameProblem(input.name);
      if (problem) throw new InvalidParamsError(problem, 'name');
    }
    let lines: Announcement[] = [];
    let app: AppRecord;
    try {
      app = await store.transaction(async (tx) => {
        let name = input.name;
        if (name === undefined) {
          for (let i = 0; i < NAME_ATTEMPTS && name === undefined; i++) {
            const candidate = generateAppName(ctx.random);
            if (await nameAvailable(tx, candidate)) name = candidate;
          }
          if (name === undefined) throw new SlipwayError('internal_error', 'Could not generate a free app name; please pass one.');
        } else if (!(await nameAvailable(tx, name))) {
          throw nameTaken(name);
        }
        const created = await tx.apps.create({
          name, ownerId: user.id, region: input.region ?? 'us', stack: input.stack ?? config.stack,
          maintenance: false, preboot: false, releasedAt: null,
        });
        await tx.domains.create({ appId: created.id, hostname: defaultHostname(name, config.domain), kind: 'heroku', cname: null });
        const release = await tx.releases.create({ appId: created.id, slugId: null, config: {}, description: 'Initial release', status: 'succeeded', userId: user.id });
        const released = await tx.apps.update(created.id, { releasedAt: release.createdAt });
        lines = [
          await ctx.announce(tx, created, user, 'app.create', 'Initial release', { name }),
          await ctx.announce(tx, created, user, 'release.create', `Release v${release.version} created`, { version: release.version }),
        ];
        return released;
      });
    } catch (err) {
      if (input.name !== undefined && isUniqueViolation(err)) throw nameTaken(input.name);
      throw err;
    }
    ctx.publish(lines);
    events.emit('app.created', { appId: app.id });
    return app;
  }

  async function update(user: UserRecord, app: AppRecord, input: UpdateAppInput): Promise<AppRecord> {
    const renaming = input.name !== undefined && input.name !== app.name;
    if (renaming) {
      ctx.requireOwner(user, app, 'rename it');
      const problem = appNameProblem(input.name!);
      if (problem) throw new InvalidParamsError(problem, 'name');
    }
    let lines: Announcement[] = [];
    let updated: AppRecord;
    try {
      updated = await store.transaction(async (tx) => {
        let next = app;
        lines = [];
        if (renaming) {
          const name = input.name!;
          if (!(await nameAvailable(tx, name))) throw nameTaken(name);
          const old = await tx.domains.get(app.id, defaultHostname(app.name, config.domain));
          if (old) await tx.domains.delete(old.id);
          next = await tx.apps.update(app.id, { name });
          await tx.domains.create({ appId: app.id, hostname: defaultHostname(name, config.domain), kind: 'heroku', cname: null });
          lines.push(await ctx.announce(tx, next, user, 'app.rename', `Rename app from ${app.name} to ${name}`, { from: app.name, to: name }));
        }
        if (input.maintenance !== undefined && input.maintenance !== app.maintenance) {
          next = await tx.apps.update(app.id, { maintenance: input.maintenance });
          lines.push(await ctx.announce(tx, next, user, 'app.maintenance', `${input.maintenance ? 'Enable' : 'Disable'} maintenance mode`, { maintenance: input.maintenance }));
        }
        if (input.preboot !== undefined && input.preboot !== app.preboot) {
          next = await tx.apps.update(app.id, { preboot: input.preboot });
          lines.push(await ctx.announce(tx, next, user, 'app.preboot', `${input.preboot ? 'Enable' : 'Disable'} preboot`, { preboot: input.preboot }));
        }
        if (input.stack !== undefined && input.stack !== app.stack) {
          next = await tx.apps.update(app.id, { stack: input.stack });
          lines.push(await ctx.announce(tx, next, user, 'app.stack', `Set stack to ${input.stack}`, { stack: input.stack }));
        }
        return next;
      });
    } catch (err) {
      if (renaming && isUniqueViolation(err)) throw nameTaken(input.name!);
      throw err;
    }
    if (lines.length > 0) {
      ctx.publish(lines);
      events.emit('app.changed', { appId: app.id });
      if (renaming) events.emit('domain.changed', { appId: app.id });
    }
    return updated;
  }

  async function destroy(user: UserRecord, app: AppRecord): Promise<AppRecord> {
    ctx.requireOwner(user, app, 'destroy it');
    await store.transaction(async (tx) => {
      await tx.apps.delete(app.id);
      await tx.audit.record({ appId: null, userId: user.id, action: 'app.destroy', message: `Destroy app ${app.name} by user ${user.email}`, data: { appId: app.id, name: app.name } });
    });
    events.emit('app.destroyed', { appId: app.id, name: app.name });
    return app;
  }

  async function list(user: UserRecord, opts: { all?: boolean } = {}): Promise<AppRecord[]> {
    return opts.all && user.admin ? store.apps.list() : store.apps.listForUser(user.id);
  }

  return { create, update, destroy, list, resolve: ctx.resolve, canAccess: ctx.canAccess };
}
