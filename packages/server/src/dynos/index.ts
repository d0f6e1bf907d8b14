/**
 * The dyno manager room's door: the manager, the runtime driver interface and the `process` driver.
 * (The `runc` driver lives beside them in `runc-driver.ts` and plugs into the same interface.)
 */
export { createDynoManager } from './manager.js';
export type { DynoManager, DynoManagerDeps, DynoTarget, DynoUsageSample, DynoUsageView } from './manager.js';
export type { OneOffOptions, OneOffSession } from './one-off.js';
export { createProcessDriver } from './process-driver.js';
export type { ProcessDriverOptions } from './process-driver.js';
export type {
  RuntimeDriver, DynoSpec, DynoHandle, DynoExit, DynoUsage, DynoEvents, AttachedIo, DriverCapabilities,
} from './driver.js';
export { displaySize, sizeList } from './sizes.js';
export { createRuncDriver } from './runc-driver.js';
export { chooseRuntimeDriver, decideRuntime, unisolatedNotice } from './choose-driver.js';
export type { RuntimeDecision } from './choose-driver.js';
export { createRendezvous } from './rendezvous.js';
export type { Rendezvous, RendezvousOptions } from './rendezvous.js';
export { cycleDynoAndWait } from './cycle-wait.js';
export type { CycleWaitDeps } from './cycle-wait.js';
