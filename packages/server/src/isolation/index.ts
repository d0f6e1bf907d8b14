/**
 * Container isolation primitives shared by the runc dyno driver and the builder: OCI spec
 * generation, the runc CLI, conmon supervision, cgroup v1/v2 readers, the bridge network, and a
 * one-shot isolated run. This file is the room's only door.
 */
export { buildOciSpec, DYNO_USER, MASKED_PATHS, READONLY_PATHS, STACK_ENTRIES } from './oci-spec.js';
export type { AppMount, BindMount, ContainerLimits, ContainerSpecInput, ContainerUser, HostEntry, NetworkMode, OciSpec } from './oci-spec.js';
export { ALLOWED_SOCKET_FAMILIES, ALLOWED_SYSCALLS, DENIED_SYSCALLS, dynoSeccompProfile } from './seccomp.js';
export { etcFiles, hostsFile, hostNameservers, prepareRootfs, probeHostEntries, rewriteHosts, usableNameservers, writeEtc } from './rootfs.js';
export type { EtcInput, HostsEntry } from './rootfs.js';
export { assertContainerId, createRunc, parseRuncStats } from './runc.js';
export type { Runc, RuncContainerState, RuncStats } from './runc.js';
export { createLogTailer, createUnderConmon, parseK8sLogLine, readExitFile } from './conmon.js';
export type { ConmonPaths, LogTailer } from './conmon.js';
export { cgroupVersionFromMountinfo, createCgroupReader, detectCgroupVersion, ensureParentCpuWeight, parentCpuWeight, parseFlatKeyed } from './cgroups.js';
export type { CgroupReader, CgroupUsage, CgroupVersion } from './cgroups.js';
export {
  appChain, attachContainer, attachPlan, openFirewall, plugNamespace, unplugNamespace, chainNames, cidrString, createDynoOpener, createNetworkLock, DEFAULT_INSTANCE, detachContainer, dynoIpRange,
  ensureBridge, gatewayIp, ipToString, natRule, parseCidr, removeBridge, vethNames,
} from './network.js';
export type { AttachKind, AttachOptions, Attachment, BridgeNetwork, DynoOpener, NetworkLock, Subnet } from './network.js';
export { createFirewall, hostHasIpv6, iptablesSave } from './firewall-apply.js';
export type { Firewall } from './firewall-apply.js';
export { blockedRanges, bridgeChains, buildChainName, parseSave, tag as firewallTag, type OutboundBlock } from './firewall.js';
export {
  INSTANCES_DIR, isInstanceId, liveInstances, loadInstanceId, ownerAlive, readInstanceId, readOwners, removeOwner, writeOwner, type InstanceOwner,
} from './instance.js';
export { exec, execCapture, ExecError } from './exec.js';
export { isRuncUsable } from './usable.js';
export type { RuncUsability } from './usable.js';
export { runIsolated } from './run-isolated.js';
export type { RunIsolatedOptions } from './run-isolated.js';
export { CLAIMS_DIR, createAddressClaims, parseNetnsAddresses, type AddressClaims } from './address-claims.js';
export { outsideKillScope, systemdBooted, SYSTEMD_BOOTED_PATH } from './service-scope.js';
export { createTenantUids, isTenantUid, tenantUidCandidate, tenantUidsDir, TENANT_UID_BASE, TENANT_UID_COUNT, type TenantUids } from './tenant-uids.js';
