/**
 * `POST /internal/router/wake` `{"app_id": "…"}`: the router process asks for a web dyno of an app
 * scaled to zero that just got a request (not part of the Platform API; internal token). 202 with
 * whether this call started it.
 */
import { z } from 'zod';
import type { Waker } from '../../autoscale/index.js';
import type { Config } from '../../config.js';
import type { Route } from '../http/index.js';
import { body } from '../validate.js';
import { checkBearer } from './internal-router.js';

import { WAKE_PATH } from '../../router/index.js';

export { WAKE_PATH };

const Wake = z.strictObject({ app_id: z.string().min(1).max(64) });

export function internalWakeRoutes(deps: { config: Pick<Config, 'internalToken'>; waker: Waker }): Route[] {
  return [
    {
      method: 'POST', path: WAKE_PATH, auth: false,
      async handler(ctx) {
        checkBearer(deps.config.internalToken, ctx.req);
        const { app_id: appId } = await body(ctx, Wake);
        return { status: 202, body: { woken: await deps.waker.wake(appId) } };
      },
    },
  ];
}
