/** All repositories over one Db handle: the store's own, or a transaction's. */
import type { Repos } from '../types.js';
import { createAppFeatureRepo } from './app-features.js';
import { createAppRepo } from './apps.js';
import { createAuditRepo } from './audit.js';
import { createBuildpackRepo } from './buildpacks.js';
import { createBuildRepo } from './builds.js';
import { createCollaboratorRepo } from './collaborators.js';
import { createConfigVarRepo } from './config-vars.js';
import type { RepoDeps } from './deps.js';
import { createDomainRepo } from './domains.js';
import { createDrainRepo } from './drains.js';
import { createDynoRepo } from './dynos.js';
import { createFormationRepo } from './formation.js';
import { createMonitorRepo } from './monitors.js';
import { createPasswordRepo } from './passwords.js';
import { createMetricsRepo } from './metrics.js';
import { createReleaseRepo } from './releases.js';
import { createRepoConnectionRepo } from './repo-connections.js';
import { createReviewAppRepo } from './review-apps.js';
import { createSlugRepo } from './slugs.js';
import { createTokenRepo } from './tokens.js';
import { createUserRepo } from './users.js';
import { createAppManifestRepo, createAppSetupRepo } from './app-setups.js';
import { createPipelineRepo } from './pipelines.js';
import { createPromotionRepo } from './promotions.js';
import { createAddonAttachmentRepo, createAddonRepo } from './addons.js';
import { createSchedulerJobRepo } from './scheduler-jobs.js';

export type { RepoDeps } from './deps.js';

export function createRepos(deps: RepoDeps): Repos {
  return {
    users: createUserRepo(deps),
    tokens: createTokenRepo(deps),
    passwords: createPasswordRepo(deps),
    apps: createAppRepo(deps),
    collaborators: createCollaboratorRepo(deps),
    configVars: createConfigVarRepo(deps),
    releases: createReleaseRepo(deps),
    slugs: createSlugRepo(deps),
    builds: createBuildRepo(deps),
    buildpacks: createBuildpackRepo(deps),
    formation: createFormationRepo(deps),
    dynos: createDynoRepo(deps),
    domains: createDomainRepo(deps),
    audit: createAuditRepo(deps),
    drains: createDrainRepo(deps),
    monitors: createMonitorRepo(deps),
    metrics: createMetricsRepo(deps),
    appFeatures: createAppFeatureRepo(deps),
    // Environments (migration v7)
    pipelines: createPipelineRepo(deps),
    promotions: createPromotionRepo(deps),
    appManifests: createAppManifestRepo(deps),
    appSetups: createAppSetupRepo(deps),
    repoConnections: createRepoConnectionRepo(deps),
    reviewApps: createReviewAppRepo(deps),
    addons: createAddonRepo(deps),
    addonAttachments: createAddonAttachmentRepo(deps),
    schedulerJobs: createSchedulerJobRepo(deps),
  };
}
