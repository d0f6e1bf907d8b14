/**
 * The data host's Redis paths (heroku-contract-2.md C5), served on the API port whatever the `Host`
 * (`HEROKU_DATA_HOST=localhost`): `GET /redis/v0/databases/{add-on name or id}` for `redis:info`
 * and `redis:cli`, `POST …/credentials_rotation` (`redis:credentials --reset`) and `GET …/wait`
 * (`redis:wait`). `resource_url` is the add-on's TLS URL and `prefer_native_tls` is true, so the
 * official CLI's own client opens TLS straight to the server (self-signed: it does not verify).
 */
import type { AddonService } from '../../addons/index.js';
import type { RedisProvider } from '../../addons/redis/index.js';
import { REDIS_SERVICE } from '../../addons/redis/index.js';
import { NotFoundError } from '../../errors.js';
import type { Ctx, Route } from '../http/index.js';

export interface RedisDataRouteDeps {
  addons: Pick<AddonService, 'getAddon' | 'handleOf' | 'rotateCredentials'>;
  redis: RedisProvider;
}

export function redisDataRoutes({ addons, redis }: RedisDataRouteDeps): Route[] {
  const redisAddon = async (ctx: Ctx) => {
    const addon = await addons.getAddon(ctx.user, ctx.params.addon);
    if (addon.service !== REDIS_SERVICE.name) throw new NotFoundError('redis database', "Couldn't find that Redis database.");
    return addon;
  };
  return [
    {
      // `redis:credentials --reset`: a new password; the attachments' vars change with a release.
      method: 'POST', path: '/redis/v0/databases/:addon/credentials_rotation',
      handler: async (ctx) => {
        const addon = await addons.rotateCredentials(ctx.user, await redisAddon(ctx));
        return { body: { message: `Credentials of ${addon.name} reset.` } };
      },
    },
    {
      // `redis:wait`: provisioning is synchronous here, so a provisioned add-on is never waited for.
      method: 'GET', path: '/redis/v0/databases/:addon/wait',
      handler: async (ctx) => {
        const addon = await redisAddon(ctx);
        return { body: { 'waiting?': addon.state === 'provisioning', message: addon.state === 'provisioned' ? 'available' : addon.state } };
      },
    },
    {
      method: 'GET', path: '/redis/v0/databases/:addon',
      handler: async (ctx) => {
        const addon = await redisAddon(ctx);
        const handle = addons.handleOf(addon);
        const info = await redis.info(handle);
        return {
          body: {
            name: addon.name,
            plan: addon.plan,
            prefer_native_tls: true,
            resource_url: redis.resourceUrl(handle),
            info,
            created_at: addon.createdAt.toISOString(),
          },
        };
      },
    },
  ];
}
