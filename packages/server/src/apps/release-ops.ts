/**
 * Config vars and releases. Every config change, deploy and rollback writes the config, the new
 * release (numbered by the store inside the transaction), the formation and the audit events in ONE
 * transaction, then announces and emits once committed.
 */
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { AppRecord, Page, ReleaseRecord, Repos, UserRecord } from '../store/types.js';
import type { Announcement, ServiceContext } from './context.js';
import { UUID } from './context.js';
import { configChangeDescription, configPatchProblem, configTotalProblem } from './config-vars.js';
import { planFormationSync } from './formation-sync.js';

export interface DeployReleaseInput {
  /** The app record, or its id. */
  app: AppRecord | string;
  slugId: string;
  /** `Deploy 1a2b3c4` */
  description: string;
  /** The user record, or its id. */
  user: UserRecord | string;
}

export function releaseOps(ctx: ServiceContext) {
  const { store, events } = ctx;

  /** Applies the slug's process types to the formation inside `tx`; returns the types changed. */
  async function syncFormation(tx: Repos, appId: string, processTypes: Record<string, string>): Promise<string[]> {
    const existing = await tx.formation.list(appId);
    const plan = planFormationSync(existing, processTypes);
    for (const u of plan.upserts) await tx.formation.upsert(appId, u);
    for (const type of plan.removes) await tx.formation.delete(appId, type);
    return [...plan.upserts.map((u) => u.type), ...plan.removes];
  }

  async function createRelease(tx: Repos, app: AppRecord, user: UserRecord, input: { slugId: string | null; config: Record<string, string>; description: string }): Promise<ReleaseRecord> {
    const release = await tx.releases.create({ appId: app.id, slugId: input.slugId, config: input.config, description: input.description, status: 'succeeded', userId: user.id });
    await tx.apps.update(app.id, { releasedAt: release.createdAt });
    return release;
  }

  function announceRelease(tx: Repos, app: AppRecord, user: UserRecord, release: ReleaseRecord): Promise<Announcement> {
    return ctx.announce(tx, app, user, 'release.create', `Release v${release.version} created`, { version: release.version, releaseId: release.id });
  }

  function afterRelease(app: AppRecord, release: ReleaseRecord, lines: Announcement[], changed: { config?: boolean; types?: string[] }): void {
    ctx.publish(lines);
    if (changed.config) events.emit('config.changed', { appId: app.id });
    events.emit('release.created', { appId: app.id, releaseId: release.id, version: release.version });
    if (changed.types && changed.types.length > 0) events.emit('formation.changed', { appId: app.id, types: changed.types });
  }

  async function getConfig(app: AppRecord): Promise<Record<string, string>> {
    return store.configVars.get(app.id);
  }

  /** Applies a patch (null unsets) and creates a release; an empty patch changes nothing. */
  async function patchConfig(user: UserRecord, app: AppRecord, patch: Record<string, string | null>): Promise<{ config: Record<string, string>; release?: ReleaseRecord }> {
    const problem = configPatchProblem(patch);
    if (problem) throw new InvalidParamsError(problem.message, problem.field);
    if (Object.keys(patch).length === 0) return { config: await store.configVars.get(app.id) };
    const description = configChangeDescription(patch);
    let lines: Announcement[] = [];
    const result = await store.transaction(async (tx) => {
      const total = configTotalProblem(await tx.configVars.get(app.id), patch);
      if (total) throw new InvalidParamsError(total.message, total.field);
      const config = await tx.configVars.patch(app.id, patch);
      const current = await tx.releases.current(app.id);
      const release = await createRelease(tx, app, user, { slugId: current?.slugId ?? null, config, description });
      lines = [
        await ctx.announce(tx, app, user, 'config.update', description, { keys: Object.keys(patch) }),
        await announceRelease(tx, app, user, release),
      ];
      return { config, release };
    });
    afterRelease(app, result.release, lines, { config: true });
    return result;
  }

  async function listReleases(app: AppRecord, page?: Page): Promise<ReleaseRecord[]> {
    return store.releases.list(app.id, page);
  }

  async function getRelease(app: AppRecord, idOrVersion: string): Promise<ReleaseRecord> {
    let key: string | number;
    if (/^v?\d{1,9}$/i.test(idOrVersion)) key = Number(idOrVersion.replace(/^v/i, ''));
    else if (UUID.test(idOrVersion)) key = idOrVersion;
    else throw new NotFoundError('release');
    const release = await store.releases.get(app.id, key);
    if (!release) throw new NotFoundError('release');
    return release;
  }

  async function currentRelease(app: AppRecord): Promise<ReleaseRecord | undefined> {
    return store.releases.current(app.id);
  }

  /** A new release with the old release's slug and config (`Rollback to v3`). */
  async function rollback(user: UserRecord, app: AppRecord, idOrVersion: string): Promise<ReleaseRecord> {
    const target = await getRelease(app, idOrVersion);
    if (target.status !== 'succeeded') throw new InvalidParamsError(`Release v${target.version} is ${target.status} and cannot be rolled back to.`, 'release');
    const description = `Rollback to v${target.version}`;
    let lines: Announcement[] = [];
    let types: string[] = [];
    const release = await store.transaction(async (tx) => {
      await tx.configVars.replace(app.id, target.config);
      if (target.slugId) {
        const slug = await tx.slugs.get(app.id, target.slugId);
        if (slug) types = await syncFormation(tx, app.id, slug.processTypes);
      }
      const created = await createRelease(tx, app, user, { slugId: target.slugId, config: target.config, description });
      lines = [
        await ctx.announce(tx, app, user, 'release.rollback', description, { version: target.version }),
        await announceRelease(tx, app, user, created),
      ];
      return created;
    });
    afterRelease(app, release, lines, { config: true, types });
    return release;
  }

  /** For the builder (and `POST /apps/{app}/releases {slug}`): releases a slug with the current config. */
  async function deployRelease(input: DeployReleaseInput): Promise<ReleaseRecord> {
    const app = typeof input.app === 'string' ? await store.apps.get(input.app) : input.app;
    if (!app) throw new NotFoundError('app');
    const user = typeof input.user === 'string' ? await store.users.get(input.user) : input.user;
    if (!user) throw new NotFoundError('user');
    let lines: Announcement[] = [];
    let types: string[] = [];
    const release = await store.transaction(async (tx) => {
      const slug = await tx.slugs.get(app.id, input.slugId);
      if (!slug) throw new NotFoundError('slug');
      const config = await tx.configVars.get(app.id);
      types = await syncFormation(tx, app.id, slug.processTypes);
      const created = await createRelease(tx, app, user, { slugId: slug.id, config, description: input.description });
      lines = [
        await ctx.announce(tx, app, user, 'release.deploy', input.description, { slugId: slug.id }),
        await announceRelease(tx, app, user, created),
      ];
      return created;
    });
    afterRelease(app, release, lines, { types });
    return release;
  }

  /**
   * For other rooms' transactions (add-ons): patches the config and cuts a release inside `tx`
   * with the given description (`Attach DATABASE (@ref:postgresql-curved-12345)`). Call the
   * returned `published()` once `tx` has committed: it logs the lines and tells the dyno manager.
   */
  async function releaseConfigIn(tx: Repos, user: UserRecord, app: AppRecord, patch: Record<string, string | null>, description: string): Promise<{ release: ReleaseRecord; published: () => void }> {
    const problem = configPatchProblem(patch) ?? configTotalProblem(await tx.configVars.get(app.id), patch);
    if (problem) throw new InvalidParamsError(problem.message, problem.field);
    const config = await tx.configVars.patch(app.id, patch);
    const current = await tx.releases.current(app.id);
    const release = await createRelease(tx, app, user, { slugId: current?.slugId ?? null, config, description });
    const lines = [
      await ctx.announce(tx, app, user, 'config.update', description, { keys: Object.keys(patch) }),
      await announceRelease(tx, app, user, release),
    ];
    return { release, published: () => afterRelease(app, release, lines, { config: true }) };
  }

  return { getConfig, patchConfig, releaseConfigIn, listReleases, getRelease, currentRelease, rollback, deployRelease };
}
