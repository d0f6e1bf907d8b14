/**
 * The add-on service: creates, attaches, detaches, destroys add-ons and rotates their credentials
 * through the providers of the registry. Every attach, detach, destroy and credential change sets
 * or unsets the attachments' config vars and cuts a release on each app concerned, in the same
 * transaction as the add-on rows; provider work happens outside transactions and is undone when
 * a later step fails (nothing is left behind: no row, no database, no config var).
 */
import { randomInt } from 'node:crypto';
import type { AppService } from '../apps/index.js';
import { InvalidParamsError, NotFoundError, SlipwayError } from '../errors.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import { DuplicateError } from '../store/errors.js';
import type { AddonAttachmentRecord, AddonRecord, AppRecord, Repos, Store, UserRecord } from '../store/types.js';
import { ConfirmationRequiredError, ProviderFailedError } from './errors.js';
import { addonQueries } from './queries.js';
import { addonNameProblem, attachmentConfigVars, attachmentNameProblem, chooseAttachmentName, generateAddonName } from './names.js';
import type { AddonHandle, PlanSpec, Provider } from './provider.js';
import type { ProviderRegistry } from './registry.js';

export interface AddonServiceDeps {
  store: Store;
  apps: AppService;
  registry: ProviderRegistry;
  events: EventBus;
  logger: Logger;
  random?: (n: number) => number;
}

export interface CreateAddonInput {
  /** `heroku-postgresql:essential-0` or `heroku-postgresql`. */
  plan: string;
  name?: string;
  attachmentName?: string;
  confirm?: string;
  options?: Record<string, string | boolean>;
}

/** Heroku's release descriptions. */
const attachDescription = (name: string, addon: string) => `Attach ${name} (@ref:${addon})`;
const detachDescription = (name: string, addon: string) => `Detach ${name} (@ref:${addon})`;
const NAME_TRIES = 20;

export function createAddonService(deps: AddonServiceDeps) {
  const { store, apps, registry, logger } = deps;
  const random = deps.random ?? randomInt;
  const queries = addonQueries(deps);

  function providerOf(addon: AddonRecord): Provider {
    const provider = registry.get(addon.service);
    if (!provider) throw new SlipwayError('unavailable', `The ${addon.service} provider is not running on this platform.`);
    return provider;
  }
  function planOf(provider: Provider, addon: AddonRecord): PlanSpec {
    return provider.service.plans.find((p) => p.name === addon.plan) ?? { name: addon.plan, humanName: addon.plan, priceCents: 0, limits: { dedicated: false } };
  }
  function handleOf(addon: AddonRecord): AddonHandle {
    const provider = providerOf(addon);
    return { id: addon.id, name: addon.name, plan: planOf(provider, addon), state: addon.providerState };
  }
  function varsOf(addon: AddonRecord, attachmentName: string, provider: Provider): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of provider.service.configSuffixes) if (addon.config[s] !== undefined) out[`${attachmentName}_${s}`] = addon.config[s];
    return out;
  }
  const unset = (names: string[]) => Object.fromEntries(names.map((n) => [n, null]));

  /** Runs provider cleanup steps after a failure, logging (never hiding the first error) what could not be undone. */
  async function undo(what: string, steps: (() => Promise<unknown>)[]): Promise<void> {
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        logger.error('addons.undo_failed', { what, error: String(err) });
      }
    }
  }

  async function pickAddonName(prefix: string, wanted: string | undefined): Promise<string> {
    if (wanted !== undefined) {
      const problem = addonNameProblem(wanted);
      if (problem) throw new InvalidParamsError(problem, 'name');
      if (await store.addons.findByName(wanted)) throw new InvalidParamsError(`The add-on name ${wanted} is already taken.`, 'name');
      return wanted;
    }
    for (let i = 0; i < NAME_TRIES; i++) {
      const name = generateAddonName(prefix, random);
      if (!(await store.addons.findByName(name))) return name;
    }
    throw new SlipwayError('unavailable', 'Could not find a free add-on name; try --name.');
  }

  /** The attachment name on `app`, and the attachment it replaces (confirmed). */
  async function pickAttachmentName(provider: Provider, app: AppRecord, wanted: string | undefined, confirm: string | undefined): Promise<{ name: string; replaces?: AddonAttachmentRecord }> {
    const existing = await store.addonAttachments.listByApp(app.id);
    if (wanted === undefined) {
      const name = chooseAttachmentName(provider.service, new Set(existing.map((a) => a.name)), random);
      if (!name) throw new InvalidParamsError(`Every attachment name of ${provider.service.name} is in use on ${app.name}; give one with --as.`, 'attachment');
      return { name };
    }
    const problem = attachmentNameProblem(wanted);
    if (problem) throw new InvalidParamsError(problem, 'attachment.name');
    const taken = existing.find((a) => a.name === wanted);
    if (!taken) return { name: wanted };
    if (confirm !== app.name) throw new ConfirmationRequiredError(`The attachment name ${wanted} is already in use on ${app.name}.`);
    return { name: wanted, replaces: taken };
  }

  /** Inside `tx`: removes an attachment and unsets its vars with a release; returns what to publish. */
  async function detachIn(tx: Repos, user: UserRecord, attachment: AddonAttachmentRecord, addon: AddonRecord, provider: Provider): Promise<() => void> {
    const app = await tx.apps.get(attachment.appId);
    await tx.addonAttachments.delete(attachment.id);
    if (!app) return () => undefined;
    const names = attachmentConfigVars(attachment.name, provider.service.configSuffixes);
    const { published } = await apps.releaseConfigIn(tx, user, app, unset(names), detachDescription(attachment.name, addon.name));
    return published;
  }

  /** Unbinds the app unless another attachment of the add-on is still on it. */
  async function unbindIfLast(provider: Provider, addon: AddonRecord, app: { id: string; name: string }): Promise<void> {
    const still = (await store.addonAttachments.listByAddon(addon.id)).some((a) => a.appId === app.id);
    if (!still) await provider.unbind(handleOf(addon), app);
  }

  async function create(user: UserRecord, app: AppRecord, input: CreateAddonInput): Promise<AddonRecord> {
    const { provider, plan } = registry.resolvePlan(input.plan);
    const { name: attachmentName, replaces } = await pickAttachmentName(provider, app, input.attachmentName, input.confirm);
    const name = await pickAddonName(provider.service.addonNamePrefix, input.name);
    let reserved: AddonRecord;
    try {
      reserved = await store.addons.create({ name, appId: app.id, service: provider.service.name, plan: plan.name, state: 'provisioning', providerState: {}, config: {}, provisionMessage: null });
    } catch (err) {
      if (err instanceof DuplicateError) throw new InvalidParamsError(`The add-on name ${name} is already taken.`, 'name');
      throw err;
    }
    let provisioned;
    try {
      provisioned = await provider.provision({ id: reserved.id, name, plan, app: { id: app.id, name: app.name }, options: input.options ?? {} });
    } catch (err) {
      await undo(name, [() => store.addons.delete(reserved.id)]);
      if (err instanceof SlipwayError) throw err;
      logger.error('addons.provision_failed', { addon: name, service: provider.service.name, error: String(err) });
      throw new ProviderFailedError(provider.service.name, 'provisioned', err);
    }
    const handle: AddonHandle = { id: reserved.id, name, plan, state: provisioned.state };
    try {
      await provider.bind(handle, app);
      const published: (() => void)[] = [];
      const addon = await store.transaction(async (tx) => {
        const done = await tx.addons.update(reserved.id, { state: 'provisioned', providerState: provisioned.state, config: provisioned.config, provisionMessage: provisioned.message ?? null });
        if (replaces) {
          const old = await tx.addons.get(replaces.addonId);
          if (old) published.push(await detachIn(tx, user, replaces, old, providerOf(old)));
        }
        await tx.addonAttachments.create({ addonId: reserved.id, appId: app.id, name: attachmentName, namespace: null });
        const r = await apps.releaseConfigIn(tx, user, app, varsOf(done, attachmentName, provider), attachDescription(attachmentName, name));
        published.push(r.published);
        return done;
      });
      for (const p of published) p();
      if (replaces) {
        const old = await store.addons.get(replaces.addonId);
        if (old) await unbindIfLast(providerOf(old), old, app).catch((err) => logger.error('addons.unbind_failed', { addon: old.name, error: String(err) }));
      }
      logger.info('addons.created', { addon: name, app: app.name, plan: `${provider.service.name}:${plan.name}`, as: attachmentName });
      return addon;
    } catch (err) {
      await undo(name, [() => provider.unbind(handle, app), () => provider.deprovision(handle), () => store.addons.delete(reserved.id)]);
      throw err;
    }
  }

  async function attach(user: UserRecord, addon: AddonRecord, app: AppRecord, input: { name?: string; confirm?: string; namespace?: string | null }): Promise<AddonAttachmentRecord> {
    if (addon.state !== 'provisioned') throw new InvalidParamsError(`${addon.name} is ${addon.state}; only a provisioned add-on can be attached.`, 'addon');
    const provider = providerOf(addon);
    const { name, replaces } = await pickAttachmentName(provider, app, input.name, input.confirm);
    const wasBound = (await store.addonAttachments.listByAddon(addon.id)).some((a) => a.appId === app.id);
    await provider.bind(handleOf(addon), app);
    try {
      const published: (() => void)[] = [];
      const attachment = await store.transaction(async (tx) => {
        if (replaces) {
          const old = await tx.addons.get(replaces.addonId);
          if (old) published.push(await detachIn(tx, user, replaces, old, providerOf(old)));
        }
        const created = await tx.addonAttachments.create({ addonId: addon.id, appId: app.id, name, namespace: input.namespace ?? null });
        published.push((await apps.releaseConfigIn(tx, user, app, varsOf(addon, name, provider), attachDescription(name, addon.name))).published);
        return created;
      });
      for (const p of published) p();
      if (replaces && replaces.addonId !== addon.id) {
        const old = await store.addons.get(replaces.addonId);
        if (old) await unbindIfLast(providerOf(old), old, app).catch((err) => logger.error('addons.unbind_failed', { addon: old.name, error: String(err) }));
      }
      return attachment;
    } catch (err) {
      if (!wasBound) await undo(addon.name, [() => provider.unbind(handleOf(addon), app)]);
      if (err instanceof DuplicateError) throw new ConfirmationRequiredError(`The attachment name ${name} is already in use on ${app.name}.`);
      throw err;
    }
  }

  async function detach(user: UserRecord, attachment: AddonAttachmentRecord): Promise<AddonAttachmentRecord> {
    const addon = await store.addons.get(attachment.addonId);
    if (!addon) throw new NotFoundError('add on attachment');
    const provider = providerOf(addon);
    const published = await store.transaction((tx) => detachIn(tx, user, attachment, addon, provider));
    published();
    const app = await store.apps.get(attachment.appId);
    if (app) await unbindIfLast(provider, addon, app);
    return attachment;
  }

  /**
   * Detaches everywhere (a release on each app), then removes the provider's data. An add-on
   * attached to apps other than its owner needs `force` (Heroku's confirmation).
   */
  async function destroy(user: UserRecord, addon: AddonRecord, opts: { force?: boolean } = {}): Promise<AddonRecord> {
    const provider = providerOf(addon);
    const attachments = await store.addonAttachments.listByAddon(addon.id);
    const elsewhere = attachments.filter((a) => a.appId !== addon.appId);
    if (elsewhere.length > 0 && !opts.force) {
      const names = await Promise.all(elsewhere.map(async (a) => `${(await store.apps.get(a.appId))?.name ?? a.appId}::${a.name}`));
      throw new ConfirmationRequiredError(`${addon.name} is also attached to ${names.join(', ')}. Detach it there first, or destroy with --force.`);
    }
    const published: (() => void)[] = [];
    const marked = await store.transaction(async (tx) => {
      for (const a of attachments) published.push(await detachIn(tx, user, a, addon, provider));
      return tx.addons.update(addon.id, { state: 'deprovisioning' });
    });
    for (const p of published) p();
    const handle = handleOf(marked);
    try {
      for (const appId of new Set(attachments.map((a) => a.appId))) {
        const app = await store.apps.get(appId);
        if (app) await provider.unbind(handle, app);
      }
      await provider.deprovision(handle);
    } catch (err) {
      logger.error('addons.deprovision_failed', { addon: addon.name, error: String(err) });
      throw new ProviderFailedError(provider.service.name, 'destroyed (run addons:destroy again)', err);
    }
    await store.addons.delete(addon.id);
    logger.info('addons.destroyed', { addon: addon.name });
    return { ...marked, state: 'deprovisioned' };
  }

  /** New credentials: every attachment's vars change, with a release on each app. */
  async function rotateCredentials(user: UserRecord, addon: AddonRecord): Promise<AddonRecord> {
    const provider = providerOf(addon);
    const rotated = await provider.rotateCredentials(handleOf(addon));
    const published: (() => void)[] = [];
    const updated = await store.transaction(async (tx) => {
      const next = await tx.addons.update(addon.id, { providerState: rotated.state, config: rotated.config });
      for (const a of await tx.addonAttachments.listByAddon(addon.id)) {
        const app = await tx.apps.get(a.appId);
        if (app) published.push((await apps.releaseConfigIn(tx, user, app, varsOf(next, a.name, provider), `Update ${a.name} by ${provider.service.name}`)).published);
      }
      return next;
    });
    for (const p of published) p();
    return updated;
  }

  /** Removes provider data of add-ons that are gone (their app was destroyed). */
  async function prune(): Promise<void> {
    for (const provider of registry.providers()) {
      const live = (await store.addons.listByService(provider.service.name)).map(handleOf);
      const removed = await provider.prune(live);
      if (removed.length > 0) logger.info('addons.pruned', { service: provider.service.name, removed: removed.join(',') });
    }
  }

  /** The host ports of the provisioned add-ons attached to an app (the dyno manager opens them to its dynos). */
  async function hostPorts(appId: string): Promise<number[]> {
    const ports = new Set<number>();
    for (const a of await store.addonAttachments.listByApp(appId)) {
      const addon = await store.addons.get(a.addonId);
      const provider = addon && addon.state === 'provisioned' ? registry.get(addon.service) : undefined;
      if (addon && provider?.hostPorts) for (const port of provider.hostPorts(handleOf(addon))) ports.add(port);
    }
    return [...ports].sort((x, y) => x - y);
  }

  // Pruning after an app is destroyed runs in the background, one at a time, owned here (stop awaits it).
  let pruning: Promise<void> = Promise.resolve();
  let off: (() => void) | undefined;

  /** Starts every provider with its live add-ons; prunes after an app is destroyed. */
  async function start(): Promise<void> {
    for (const provider of registry.providers()) await provider.start((await store.addons.listByService(provider.service.name)).map(handleOf));
    await prune();
    off = deps.events.on('app.destroyed', () => {
      pruning = pruning.then(prune).catch((err) => logger.error('addons.prune_failed', { error: String(err) }));
    });
  }

  async function stop(mode: 'all' | 'control-plane'): Promise<void> {
    off?.();
    await pruning;
    for (const provider of registry.providers().reverse()) await provider.stop(mode);
  }

  return { ...queries, create, attach, detach, destroy, rotateCredentials, prune, start, stop, hostPorts, handleOf, providerOf, planOf };
}

export type AddonService = ReturnType<typeof createAddonService>;
