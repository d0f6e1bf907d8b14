/**
 * The apps domain service: access checks, apps, config vars, releases, formation, domains and
 * collaborators. It throws SlipwayErrors; the API maps them to HTTP.
 */
import { appOps } from './app-ops.js';
import { collaboratorOps } from './collaborator-ops.js';
import { createContext, type AppServiceDeps } from './context.js';
import { domainOps } from './domain-ops.js';
import { formationOps } from './formation-ops.js';
import { releaseOps } from './release-ops.js';

export type { AppServiceDeps } from './context.js';
export type { CreateAppInput, UpdateAppInput } from './app-ops.js';
export type { DeployReleaseInput } from './release-ops.js';
export type { CollaboratorView } from './collaborator-ops.js';
export type { ScaleUpdate } from './scale.js';
export { generateAppName, appNameProblem } from './names.js';
export { planScale, parseQuantity, scaleLine, displaySize, sizeList, MAX_QUANTITY } from './scale.js';
export { planFormationSync } from './formation-sync.js';
export { configChangeDescription, CONFIG_KEY_PATTERN, envKeyProblem, envValueProblem, configBytes, MAX_CONFIG_TOTAL_BYTES } from './config-vars.js';
export { defaultHostname } from './app-ops.js';

export function createAppService(deps: AppServiceDeps) {
  const ctx = createContext(deps);
  return {
    ...appOps(ctx),
    ...releaseOps(ctx),
    ...formationOps(ctx),
    ...domainOps(ctx),
    ...collaboratorOps(ctx),
  };
}

export type AppService = ReturnType<typeof createAppService>;
