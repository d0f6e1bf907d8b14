/** What the deploy routes (builds, slugs, buildpack installations, sources) need from the builder room and the store. */
import type { AppsPort, Builder } from '../../builds/index.js';
import type { Config } from '../../config.js';
import type { Store } from '../../store/types.js';

export interface DeployRouteDeps {
  builder: Builder;
  store: Store;
  apps: AppsPort;
  config: Config;
}
