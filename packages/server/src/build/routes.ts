/** The builder's API routes, defined in `api/routes/{builds,slugs,buildpack-installations,sources}.ts`. */
import type { Route } from '../api/http/index.js';
import { buildRoutes } from '../api/routes/builds.js';
import { buildpackInstallationRoutes } from '../api/routes/buildpack-installations.js';
import { slugRoutes } from '../api/routes/slugs.js';
import { sourceRoutes } from '../api/routes/sources.js';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { AppsPort, Builder } from './builder.js';

export interface DeployRouteDeps {
  builder: Builder;
  store: Store;
  apps: AppsPort;
  config: Config;
}

export function builderRoutes(deps: DeployRouteDeps): Route[] {
  return [...buildRoutes(deps), ...slugRoutes(deps), ...buildpackInstallationRoutes(deps), ...sourceRoutes(deps)];
}
