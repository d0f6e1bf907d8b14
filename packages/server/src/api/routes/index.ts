/**
 * Every Platform API route of the core, one file per resource. Other rooms pass theirs to
 * `createApi({ extraRoutes })` (dynos, builds, log sessions…).
 */
import type { Route } from '../http/index.js';
import { accountRoutes } from './account.js';
import { appRoutes } from './apps.js';
import { collaboratorRoutes } from './collaborators.js';
import { configVarRoutes } from './config-vars.js';
import type { RouteDeps } from './deps.js';
import { domainRoutes } from './domains.js';
import { featureRoutes } from './features.js';
import { formationRoutes } from './formation.js';
import { releaseRoutes } from './releases.js';
import { sessionRoutes } from './session.js';
import { userRoutes } from './users.js';

export type { RouteDeps } from './deps.js';
export { loadApp, requireAdmin } from './deps.js';

export function apiRoutes(deps: RouteDeps): Route[] {
  return [
    ...accountRoutes(deps),
    ...sessionRoutes(deps),
    ...userRoutes(deps),
    ...appRoutes(deps),
    ...configVarRoutes(deps),
    ...releaseRoutes(deps),
    ...formationRoutes(deps),
    ...domainRoutes(deps),
    ...collaboratorRoutes(deps),
    ...featureRoutes(deps),
  ];
}
