/**
 * Add-ons (heroku-contract-2.md C3): services and plans, an app's add-ons, every add-on the user can
 * see, resolution, attachments. Creation, attach, detach and destroy go through the add-on service
 * (each sets or unsets config vars with a release).
 */
import { z } from 'zod';
import type { AddonService, ProviderRegistry } from '../../addons/index.js';
import type { AppService } from '../../apps/index.js';
import { NotFoundError } from '../../errors.js';
import type { AddonRecord, AppRecord, Store } from '../../store/types.js';
import type { Ctx, Route } from '../http/index.js';
import { body } from '../validate.js';
import { addonPresenter, toPlan, toService } from './addon-present.js';

export interface AddonRouteDeps {
  apps: AppService;
  addons: AddonService;
  registry: ProviderRegistry;
  store: Store;
  /** Where an add-on's page is (`addons:open`). */
  webUrl: (addon: AddonRecord) => string;
}

const ref = z.union([z.string().min(1).max(256), z.object({ name: z.string().min(1).max(256).optional(), id: z.string().max(64).optional() })]);
const refName = (r: z.infer<typeof ref>): string => (typeof r === 'string' ? r : (r.name ?? r.id ?? ''));
const CreateAddon = z.object({
  plan: ref,
  name: z.string().max(256).optional(),
  attachment: z.object({ name: z.string().max(256).optional() }).optional(),
  config: z.record(z.string(), z.union([z.string().max(4096), z.boolean()])).optional(),
  confirm: z.string().max(256).optional(),
});
const DestroyAddon = z.object({ force: z.boolean().optional() });
const CreateAttachment = z.object({
  addon: ref,
  app: ref,
  name: z.string().max(256).optional(),
  confirm: z.string().max(256).optional(),
  namespace: z.string().max(256).nullable().optional(),
});
const ResolveAddon = z.object({ addon: z.string().min(1).max(256), app: z.string().max(256).nullable().optional(), addon_service: z.string().max(256).optional() });
const ResolveAttachment = z.object({ addon_attachment: z.string().min(1).max(256), app: z.string().max(256).nullable().optional(), addon_service: z.string().max(256).optional() });

export function addonRoutes(deps: AddonRouteDeps): Route[] {
  const { apps, addons, registry } = deps;
  const present = () => addonPresenter(deps);
  const loadApp = (ctx: Ctx, name = ctx.params.app): Promise<AppRecord> => apps.resolve(ctx.user, name);
  const service = (name: string) => {
    const s = registry.get(name)?.service ?? registry.services().find((x) => x.id === name);
    if (!s) throw new NotFoundError('addon service', "Couldn't find that add-on service.");
    return s;
  };
  const optionalApp = async (ctx: Ctx, name: string | null | undefined) => (name ? loadApp(ctx, name) : undefined);

  return [
    { method: 'GET', path: '/addon-services', handler: async () => ({ body: registry.services().map(toService) }) },
    { method: 'GET', path: '/addon-services/:service', handler: async (ctx) => ({ body: toService(service(ctx.params.service)) }) },
    { method: 'GET', path: '/addon-services/:service/plans', handler: async (ctx) => {
      const s = service(ctx.params.service);
      return { body: s.plans.map((p) => toPlan(s, p)) };
    } },
    { method: 'GET', path: '/addon-services/:service/plans/:plan', handler: async (ctx) => {
      const s = service(ctx.params.service);
      const p = s.plans.find((x) => x.name === ctx.params.plan || `${s.name}:${x.name}` === ctx.params.plan);
      if (!p) throw new NotFoundError('plan', "Couldn't find that plan.");
      return { body: toPlan(s, p) };
    } },
    { method: 'GET', path: '/addons', handler: async (ctx) => {
      const p = present();
      return { body: await Promise.all((await addons.listUserAddons(ctx.user)).map(p.addon)) };
    } },
    { method: 'GET', path: '/addons/:addon', handler: async (ctx) => ({ body: await present().addon(await addons.getAddon(ctx.user, ctx.params.addon)) }) },
    { method: 'GET', path: '/addons/:addon/addon-attachments', handler: async (ctx) => {
      const addon = await addons.getAddon(ctx.user, ctx.params.addon);
      const p = present();
      return { body: await Promise.all((await addons.listAddonAttachments(ctx.user, addon)).map((x) => p.attachment(x, addon))) };
    } },
    { method: 'GET', path: '/apps/:app/addons', handler: async (ctx) => {
      const p = present();
      return { body: await Promise.all((await addons.listAppAddons(await loadApp(ctx))).map(p.addon)) };
    } },
    { method: 'GET', path: '/apps/:app/addons/:addon', handler: async (ctx) => ({ body: await present().addon(await addons.getAppAddon(await loadApp(ctx), ctx.params.addon)) }) },
    { method: 'POST', path: '/apps/:app/addons', handler: async (ctx) => {
      const app = await loadApp(ctx);
      const input = await body(ctx, CreateAddon);
      const created = await addons.create(ctx.user, app, {
        plan: refName(input.plan), name: input.name, attachmentName: input.attachment?.name, confirm: input.confirm, options: input.config,
      });
      return { status: 201, body: await present().addon(created) };
    } },
    { method: 'DELETE', path: '/apps/:app/addons/:addon', handler: async (ctx) => {
      const app = await loadApp(ctx);
      const input = await body(ctx, DestroyAddon);
      const addon = await addons.getAppAddon(app, ctx.params.addon);
      if (addon.appId !== app.id) throw new NotFoundError('add on', "Couldn't find that add on.");
      const view = await present().addon(addon);
      const gone = await addons.destroy(ctx.user, addon, { force: input.force });
      return { body: { ...view, state: gone.state } };
    } },
    { method: 'POST', path: '/actions/addons/resolve', handler: async (ctx) => {
      const input = await body(ctx, ResolveAddon);
      const [appName, name] = input.addon.includes('::') ? input.addon.split('::', 2) : [input.app, input.addon];
      const found = await addons.resolveAddons(ctx.user, name, await optionalApp(ctx, appName));
      const p = present();
      return { body: await Promise.all(found.map(p.addon)) };
    } },
    { method: 'POST', path: '/actions/addon-attachments/resolve', handler: async (ctx) => {
      const input = await body(ctx, ResolveAttachment);
      const [appName, name] = input.addon_attachment.includes('::') ? input.addon_attachment.split('::', 2) : [input.app, input.addon_attachment];
      const found = await addons.resolveAttachments(ctx.user, name, await optionalApp(ctx, appName));
      const p = present();
      return { body: await Promise.all(found.map((x) => p.attachment(x))) };
    } },
    { method: 'GET', path: '/addon-attachments', handler: async (ctx) => {
      const p = present();
      return { body: await Promise.all((await addons.listUserAttachments(ctx.user)).map((x) => p.attachment(x))) };
    } },
    { method: 'GET', path: '/addon-attachments/:attachment', handler: async (ctx) => ({ body: await present().attachment(await addons.getAttachment(ctx.user, ctx.params.attachment)) }) },
    { method: 'POST', path: '/addon-attachments', handler: async (ctx) => {
      const input = await body(ctx, CreateAttachment);
      const addon = await addons.getAddon(ctx.user, refName(input.addon));
      // The owning app must be the user's too: seeing an add-on through an attachment does not let you spread it.
      await apps.resolve(ctx.user, addon.appId);
      const app = await loadApp(ctx, refName(input.app));
      const created = await addons.attach(ctx.user, addon, app, { name: input.name, confirm: input.confirm, namespace: input.namespace });
      return { status: 201, body: await present().attachment(created, addon) };
    } },
    { method: 'DELETE', path: '/addon-attachments/:attachment', handler: async (ctx) => {
      const attachment = await addons.getAttachment(ctx.user, ctx.params.attachment);
      const view = await present().attachment(attachment);
      await addons.detach(ctx.user, attachment);
      return { body: view };
    } },
    { method: 'GET', path: '/apps/:app/addon-attachments', handler: async (ctx) => {
      const p = present();
      return { body: await Promise.all((await addons.listAppAttachments(await loadApp(ctx))).map((x) => p.attachment(x))) };
    } },
    { method: 'GET', path: '/apps/:app/addon-attachments/:attachment', handler: async (ctx) => ({ body: await present().attachment(await addons.getAppAttachment(await loadApp(ctx), ctx.params.attachment)) }) },
  ];
}
