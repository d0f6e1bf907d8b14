/**
 * Add-on reads with access checks, and Heroku's resolution (C3.3): an add-on by name or id, or by
 * an attachment name on an app; an attachment by name (`DATABASE`, or the config var
 * `DATABASE_URL`), id, or its add-on's name. What the user cannot see is not found.
 */
import type { AppService } from '../apps/index.js';
import { NotFoundError } from '../errors.js';
import type { AddonAttachmentRecord, AddonRecord, AppRecord, Store, UserRecord } from '../store/types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function addonQueries({ store, apps }: { store: Store; apps: AppService }) {
  async function visibleApps(user: UserRecord): Promise<AppRecord[]> {
    return apps.list(user);
  }

  async function canSee(user: UserRecord, appId: string): Promise<boolean> {
    const app = await store.apps.get(appId);
    return app !== undefined && (await apps.canAccess(user, app));
  }

  /** An add-on by name or id, visible through its owning app or one it is attached to. */
  async function getAddon(user: UserRecord, ref: string): Promise<AddonRecord> {
    const addon = (UUID.test(ref) ? await store.addons.get(ref) : undefined) ?? (await store.addons.findByName(ref));
    if (!addon) throw new NotFoundError('add on', "Couldn't find that add on.");
    if (await canSee(user, addon.appId)) return addon;
    for (const a of await store.addonAttachments.listByAddon(addon.id)) if (await canSee(user, a.appId)) return addon;
    throw new NotFoundError('add on', "Couldn't find that add on.");
  }

  /** An add-on the app owns (`/apps/{app}/addons/{x}`): by name, id or the app's attachment name. */
  async function getAppAddon(app: AppRecord, ref: string): Promise<AddonRecord> {
    const addon = (UUID.test(ref) ? await store.addons.get(ref) : undefined) ?? (await store.addons.findByName(ref));
    if (addon && addon.appId === app.id) return addon;
    const attachment = await store.addonAttachments.find(app.id, ref.toUpperCase());
    const viaAttachment = attachment && (await store.addons.get(attachment.addonId));
    if (viaAttachment) return viaAttachment;
    throw new NotFoundError('add on', "Couldn't find that add on.");
  }

  /** `POST /actions/addons/resolve`: matches by name or id, and with an app by its attachment names. */
  async function resolveAddons(user: UserRecord, ref: string, app: AppRecord | undefined): Promise<AddonRecord[]> {
    const found: AddonRecord[] = [];
    try {
      found.push(await getAddon(user, ref));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (app) {
      const attachment = await store.addonAttachments.find(app.id, attachmentKey(ref));
      const addon = attachment && (await store.addons.get(attachment.addonId));
      if (addon && !found.some((f) => f.id === addon.id)) found.push(addon);
    }
    if (found.length === 0) throw new NotFoundError('add on', "Couldn't find that add on.");
    return found;
  }

  /** `POST /actions/addon-attachments/resolve`. */
  async function resolveAttachments(user: UserRecord, ref: string, app: AppRecord | undefined): Promise<AddonAttachmentRecord[]> {
    const out: AddonAttachmentRecord[] = [];
    if (UUID.test(ref)) {
      const a = await store.addonAttachments.get(ref);
      if (a && (!app || a.appId === app.id) && (await canSee(user, a.appId))) out.push(a);
    }
    if (app) {
      const byName = await store.addonAttachments.find(app.id, attachmentKey(ref));
      if (byName && !out.some((o) => o.id === byName.id)) out.push(byName);
      if (out.length === 0) {
        const addon = await store.addons.findByName(ref);
        if (addon) out.push(...(await store.addonAttachments.listByAddon(addon.id)).filter((a) => a.appId === app.id));
      }
    }
    if (out.length === 0) throw new NotFoundError('add on attachment', "Couldn't find that add on attachment.");
    return out;
  }

  async function listAppAddons(app: AppRecord): Promise<AddonRecord[]> {
    return store.addons.listByApp(app.id);
  }

  /** Every add-on of every app the user can see (`addons -A`). */
  async function listUserAddons(user: UserRecord): Promise<AddonRecord[]> {
    return store.addons.listByApps((await visibleApps(user)).map((a) => a.id));
  }

  async function listUserAttachments(user: UserRecord): Promise<AddonAttachmentRecord[]> {
    return store.addonAttachments.listByApps((await visibleApps(user)).map((a) => a.id));
  }

  async function listAppAttachments(app: AppRecord): Promise<AddonAttachmentRecord[]> {
    return store.addonAttachments.listByApp(app.id);
  }

  /** The add-on's attachments on apps the user can see. */
  async function listAddonAttachments(user: UserRecord, addon: AddonRecord): Promise<AddonAttachmentRecord[]> {
    const out: AddonAttachmentRecord[] = [];
    for (const a of await store.addonAttachments.listByAddon(addon.id)) if (await canSee(user, a.appId)) out.push(a);
    return out;
  }

  async function getAppAttachment(app: AppRecord, ref: string): Promise<AddonAttachmentRecord> {
    const a = (UUID.test(ref) ? await store.addonAttachments.get(ref) : undefined) ?? (await store.addonAttachments.find(app.id, attachmentKey(ref)));
    if (!a || a.appId !== app.id) throw new NotFoundError('add on attachment', "Couldn't find that add on attachment.");
    return a;
  }

  async function getAttachment(user: UserRecord, id: string): Promise<AddonAttachmentRecord> {
    const a = UUID.test(id) ? await store.addonAttachments.get(id) : undefined;
    if (!a || !(await canSee(user, a.appId))) throw new NotFoundError('add on attachment', "Couldn't find that add on attachment.");
    return a;
  }

  return { getAddon, getAppAddon, resolveAddons, resolveAttachments, listAppAddons, listUserAddons, listUserAttachments, listAppAttachments, listAddonAttachments, getAppAttachment, getAttachment };
}

/** `DATABASE_URL` and `database` name the attachment `DATABASE`. */
export function attachmentKey(ref: string): string {
  return ref.toUpperCase().replace(/_URL$/, '');
}
