/** The deploy routes: builds, slugs, buildpack installations and source uploads, over the builder room. */
import type { Route } from '../http/index.js';
import { buildRoutes } from './builds.js';
import { buildpackInstallationRoutes } from './buildpack-installations.js';
import type { DeployRouteDeps } from './deploy-deps.js';
import { slugRoutes } from './slugs.js';
import { sourceRoutes } from './sources.js';

export type { DeployRouteDeps } from './deploy-deps.js';

export function deployRoutes(deps: DeployRouteDeps): Route[] {
  return [...buildRoutes(deps), ...slugRoutes(deps), ...buildpackInstallationRoutes(deps), ...sourceRoutes(deps)];
}
