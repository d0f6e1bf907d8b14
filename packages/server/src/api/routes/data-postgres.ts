/**
 * The data host's Postgres paths (heroku-contract-2.md C4), served on the API port whatever the
 * `Host` (`HEROKU_DATA_HOST=localhost` keeps the official CLI's pg:* calls here): database info,
 * reset, the default credential and its rotation, backups (capture, list, one transfer, restore,
 * signed download URL). Add-ons are found by id or name, with the same access rules as the
 * Platform API; only `heroku-postgresql` add-ons answer.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { AddonService, PgBackups, PostgresProvider } from '../../addons/index.js';
import type { AppService } from '../../apps/index.js';
import { NotFoundError, SlipwayError } from '../../errors.js';
import type { AddonRecord } from '../../store/types.js';
import type { Ctx, Route } from '../http/index.js';
import { body } from '../validate.js';

export interface DataPostgresDeps {
  apps: AppService;
  addons: AddonService;
  /** Absent when this platform runs no PostgreSQL (503). */
  postgres?: { provider: PostgresProvider; backups: PgBackups };
  /** Secret for signed backup URLs. */
  secret: string;
  /** The API's base URL for signed backup URLs. */
  baseUrl: () => string;
}

/** How long a `pg:backups:url`/download URL works. */
export const BACKUP_URL_TTL_S = 10 * 60;
const Restore = z.object({ backup_url: z.string().max(2048), extensions: z.array(z.string().max(64)).max(50).optional() });
const Rotate = z.object({ forced: z.boolean().optional() });

export function backupSignature(secret: string, appId: string, num: number, expires: number): string {
  return createHmac('sha256', secret).update(`pg-backup:${appId}:${num}:${expires}`).digest('hex').slice(0, 40);
}

export function dataPostgresRoutes(deps: DataPostgresDeps): Route[] {
  const { apps, addons } = deps;
  const pgOrFail = () => {
    if (!deps.postgres) throw new SlipwayError('unavailable', 'This platform runs no PostgreSQL server (install postgresql).');
    return deps.postgres;
  };
  async function database(ctx: Ctx, ref: string): Promise<AddonRecord> {
    const addon = await addons.getAddon(ctx.user, ref);
    if (addon.service !== 'heroku-postgresql') throw new NotFoundError('database', "Couldn't find that database.");
    if (addon.state !== 'provisioned') throw new NotFoundError('database', `${addon.name} is not yet provisioned.`);
    return addon;
  }
  const signedUrl = (appId: string, num: number, expires: number) => signedBackupUrl(deps.baseUrl(), deps.secret, appId, num, expires);
  const transferView = (t: Awaited<ReturnType<PgBackups['list']>>[number], verbose: boolean) => {
    const { file: _file, logs, ...rest } = t;
    return verbose ? { ...rest, logs } : rest;
  };

  return [
    { method: 'GET', path: '/client/v11/databases/:id', handler: async (ctx) => {
      const addon = await database(ctx, ctx.params.id);
      const { provider } = pgOrFail();
      const info = await provider.info(addons.handleOf(addon));
      return { body: {
        addon_id: addon.id, name: addon.name, plan: addon.plan, resource_url: addon.config.URL ?? null,
        created_at: addon.createdAt.toISOString(), info: [...info, { name: 'Followers', values: [], resolve_db_name: true }],
      } };
    } },
    { method: 'GET', path: '/client/v11/databases/:id/wait_status', handler: async (ctx) => {
      await database(ctx, ctx.params.id);
      return { body: { 'waiting?': false, message: 'Available' } };
    } },
    { method: 'PUT', path: '/client/v11/databases/:id/reset', handler: async (ctx) => {
      const addon = await database(ctx, ctx.params.id);
      await pgOrFail().provider.reset(addons.handleOf(addon));
      return { body: { message: `${addon.name} was reset.` } };
    } },
    { method: 'GET', path: '/postgres/v0/databases/:name/credentials/:cred', handler: async (ctx) => {
      const addon = await database(ctx, ctx.params.name);
      if (ctx.params.cred !== 'default') throw new NotFoundError('credential', `Couldn't find the credential ${ctx.params.cred}; this plan has only the default credential.`);
      const u = new URL(addon.config.URL);
      return { body: {
        uuid: addon.id, name: 'default', state: 'active', database: u.pathname.slice(1), host: u.hostname, port: Number(u.port),
        credentials: [{ user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), state: 'active', connections: null }],
      } };
    } },
    { method: 'GET', path: '/postgres/v0/databases/:name/credentials', handler: async (ctx) => {
      const addon = await database(ctx, ctx.params.name);
      const u = new URL(addon.config.URL);
      return { body: [{ uuid: addon.id, name: 'default', state: 'active', database: u.pathname.slice(1), host: u.hostname, port: Number(u.port), credentials: [{ user: decodeURIComponent(u.username), state: 'active' }] }] };
    } },
    ...['/postgres/v0/databases/:name/credentials_rotation', '/postgres/v0/databases/:name/credentials/:cred/credentials_rotation'].map((path): Route => ({
      method: 'POST', path, handler: async (ctx) => {
        const addon = await database(ctx, ctx.params.name);
        if (ctx.params.cred !== undefined && ctx.params.cred !== 'default') throw new NotFoundError('credential', `Couldn't find the credential ${ctx.params.cred}.`);
        await body(ctx, Rotate);
        await addons.rotateCredentials(ctx.user, addon);
        return { body: { message: `Rotated the default credential of ${addon.name}.` } };
      },
    })),
    { method: 'POST', path: '/client/v11/databases/:id/backups', handler: async (ctx) => {
      const addon = await database(ctx, ctx.params.id);
      const attachment = (await addons.listAddonAttachments(ctx.user, addon)).find((a) => a.appId === addon.appId);
      const t = await pgOrFail().backups.capture(addon.appId, addons.handleOf(addon), attachment?.name ?? addon.name);
      return { status: 201, body: transferView(t, false) };
    } },
    { method: 'POST', path: '/client/v11/databases/:id/restores', handler: async (ctx) => {
      const addon = await database(ctx, ctx.params.id);
      const input = await body(ctx, Restore);
      const m = /\/client\/v11\/backups\/([0-9a-f-]{36})\/(\d{1,9})\/(\d{1,12})\/([0-9a-f]{40})$/.exec(input.backup_url);
      if (!m || !verify(deps.secret, m[1], Number(m[2]), Number(m[3]), m[4], false)) {
        throw new SlipwayError('invalid_params', 'Only backups made on this platform can be restored (give a backup id such as b001, or APP::b001).', { field: 'backup_url' });
      }
      const source = await apps.resolve(ctx.user, m[1]);
      const attachment = (await addons.listAddonAttachments(ctx.user, addon)).find((a) => a.appId === addon.appId);
      const t = await pgOrFail().backups.restore(addon.appId, addons.handleOf(addon), attachment?.name ?? addon.name, { appId: source.id, num: Number(m[2]) });
      return { status: 201, body: transferView(t, false) };
    } },
    { method: 'GET', path: '/client/v11/apps/:app/transfers', handler: async (ctx) => {
      const app = await apps.resolve(ctx.user, ctx.params.app);
      return { body: (await pgOrFail().backups.list(app.id)).map((t) => transferView(t, false)) };
    } },
    { method: 'GET', path: '/client/v11/apps/:app/transfers/:id', handler: async (ctx) => {
      const app = await apps.resolve(ctx.user, ctx.params.app);
      const all = await pgOrFail().backups.list(app.id);
      const t = all.find((x) => x.uuid === ctx.params.id || String(x.num) === ctx.params.id);
      if (!t) throw new NotFoundError('transfer', "Couldn't find that transfer.");
      return { body: transferView(t, ctx.query.get('verbose') === 'true') };
    } },
    { method: 'POST', path: '/client/v11/apps/:app/transfers/:num/actions/public-url', handler: async (ctx) => {
      const app = await apps.resolve(ctx.user, ctx.params.app);
      const num = Number(ctx.params.num);
      if (!Number.isInteger(num) || !(await pgOrFail().backups.backupFile(app.id, num))) throw new NotFoundError('transfer', "Couldn't find that backup.");
      const expires = Math.floor(Date.now() / 1000) + BACKUP_URL_TTL_S;
      return { body: { url: signedUrl(app.id, num, expires), expires_at: new Date(expires * 1000).toISOString() } };
    } },
    {
      method: 'GET', path: '/client/v11/backups/:app/:num/:expires/:sig', auth: false, raw: true,
      async handler(ctx) {
        const { app, num, expires, sig } = ctx.params;
        const file = verify(deps.secret, app, Number(num), Number(expires), sig, true) ? await deps.postgres?.backups.backupFile(app, Number(num)) : undefined;
        if (!file) {
          ctx.res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('No backup here (or the URL expired).\n');
          return;
        }
        ctx.res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="b${num.padStart(3, '0')}.dump"` });
        await pipeline(createReadStream(file), ctx.res);
      },
    },
  ];
}

/** A backup's URL; `expires` 0 is the restore-only URL a transfer's `to_url` carries (no download). */
export function signedBackupUrl(baseUrl: string, secret: string, appId: string, num: number, expires: number): string {
  return `${baseUrl}/client/v11/backups/${appId}/${num}/${expires}/${backupSignature(secret, appId, num, expires)}`;
}

/** A signed backup URL: the signature matches, and (for downloads) it has not expired. */
function verify(secret: string, appId: string, num: number, expires: number, sig: string, checkExpiry: boolean): boolean {
  const want = Buffer.from(backupSignature(secret, appId, num, expires));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return false;
  return !checkExpiry || expires * 1000 > Date.now();
}
