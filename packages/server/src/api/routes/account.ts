/**
 * `GET /account` (also answers the CLI's particleboard delinquency check), `GET /users/~`,
 * `GET /oauth/authorizations`.
 */
import type { Route } from '../http/index.js';
import { toAccount } from '../present.js';
import type { RouteDeps } from './deps.js';

export function accountRoutes(_deps: RouteDeps): Route[] {
  return [
    { method: 'GET', path: '/account', handler: async (ctx) => ({ body: toAccount(ctx.user) }) },
    { method: 'GET', path: '/users/~', handler: async (ctx) => ({ body: toAccount(ctx.user) }) },
    { method: 'GET', path: '/oauth/authorizations', handler: async () => ({ body: [] }) },
  ];
}
