/**
 * The add-ons room's door: the provider interface and registry, names, the in-memory provider,
 * and (service.ts) the add-on service the API calls.
 */
export type { AddonHandle, AppRef, InfoRow, PlanLimits, PlanSpec, Provider, Provisioned, ProvisionRequest, ServiceSpec, StepHook } from './provider.js';
export { createProviderRegistry, type ProviderRegistry } from './registry.js';
export { addonNameProblem, attachmentNameProblem, attachmentConfigVars, chooseAttachmentName, generateAddonName } from './names.js';
export { createMemoryProvider, MEMORY_SERVICE, type MemoryProvider } from './memory-provider.js';
export { createAddonService, type AddonService, type AddonServiceDeps, type CreateAddonInput } from './service.js';
export { attachmentKey } from './queries.js';
export { ConfirmationRequiredError, ProviderFailedError } from './errors.js';
export { createPostgresProvider, type PostgresProvider, type PgState } from './postgres-provider.js';
export { POSTGRES_SERVICE } from './postgres-plans.js';
export { findPgBin, type RunAs } from './pg-exec.js';
export { createPgBackups, type PgBackups, type Transfer } from './pg-backups.js';
