/**
 * Log sessions (heroku-contract.md A16): `POST /apps/:app/log-sessions` → `{id, logplex_url, …}`;
 * `GET /log-stream/:id?token=…` is public (the CLI's EventSource sends no Authorization): the
 * token in the URL is the capability. `logRoutes` is the one list of the logplex's API routes.
 */
import type { LogSession } from '@slipway/contract';
import type { AppService } from '../../apps/index.js';
import { apiBaseUrl, type Config } from '../../config.js';
import { InvalidParamsError } from '../../errors.js';
import { parseSessionRequest, type LogplexService } from '../../logplex/index.js';
import type { Route } from '../http/index.js';
import { logDrainRoutes } from './log-drains.js';

export interface LogRouteDeps {
  apps: Pick<AppService, 'resolve'>;
  logplex: Pick<LogplexService, 'sessions' | 'drains'>;
  config: Config;
}

export function logSessionRoutes(deps: LogRouteDeps): Route[] {
  const { apps, logplex, config } = deps;
  return [
    {
      method: 'POST', path: '/apps/:app/log-sessions',
      handler: async (ctx) => {
        const app = await apps.resolve(ctx.user, ctx.params.app);
        const input = await ctx.json();
        if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidParamsError('Expected a JSON object.', 'body');
        const session = logplex.sessions.create(app.id, parseSessionRequest(input as Record<string, unknown>, config.logHistoryLines));
        const body: LogSession = {
          id: session.id,
          logplex_url: `${apiBaseUrl(config)}/log-stream/${session.id}?token=${session.token}`,
          created_at: session.createdAt.toISOString(),
          updated_at: session.updatedAt.toISOString(),
        };
        return { status: 201, body };
      },
    },
    {
      method: 'GET', path: '/log-stream/:session', auth: false, raw: true,
      handler: async (ctx) => {
        logplex.sessions.stream(ctx.params.session, ctx.query.get('token') ?? '', ctx.req, ctx.res);
      },
    },
  ];
}

/** Every logplex route: log sessions, the log stream and log drains. */
export function logRoutes(deps: LogRouteDeps): Route[] {
  return [...logSessionRoutes(deps), ...logDrainRoutes(deps)];
}
