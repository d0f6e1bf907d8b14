/**
 * `slipway doctor`: every prerequisite and setting the platform depends on, one line per check with
 * a fix for each failure. The platform would run degraded (not isolated, no HTTPS, a port taken…)
 * exactly when a check fails; warnings do not. This file is the room's only door.
 */
import type { Config } from '../config.js';
import { createDockerClient, probeSwarm } from '../swarm/index.js';
import { hostChecks } from './host-checks.js';
import { dataDirCheck, portChecks, storeCheck, tlsCheck } from './local-checks.js';
import type { CheckResult, DoctorInput } from './types.js';

export type { CheckResult, CheckStatus, DoctorInput } from './types.js';
export { DEBIAN_PACKAGES } from './host-checks.js';

/** The host as it is: binaries on PATH, this process's uid, /proc/self/mountinfo. */
export function hostInput(config: DoctorInput['config'] & Partial<Config>): DoctorInput {
  return {
    config,
    binaries: { runc: 'runc', conmon: 'conmon', iptables: 'iptables', ip: 'ip', openssl: 'openssl', git: 'git' },
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    platform: process.platform,
    mountinfoPath: '/proc/self/mountinfo',
    now: new Date(),
    swarmProbe: config.runtime === 'swarm'
      ? () => probeSwarm(createDockerClient({ dockerHost: config.dockerHost ?? '', dockerTlsVerify: config.dockerTlsVerify ?? '', dockerCertPath: config.dockerCertPath ?? '' }), config.dockerHost || 'unix:///var/run/docker.sock')
      : undefined,
  };
}

export async function runDoctor(input: DoctorInput): Promise<CheckResult[]> {
  const [host, ports, dataDir, tls] = await Promise.all([hostChecks(input), portChecks(input), dataDirCheck(input), tlsCheck(input)]);
  // The store after the data dir: an unwritable data dir is the one failure to report for both.
  const store = await storeCheck(input);
  return [...host, ...ports, dataDir, tls, store];
}

const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/** One line per check (`ok   runc        runc version 1.1.5`), a fix after each failure, then a verdict. */
export function formatReport(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${LABEL[r.status]}  ${r.name.padEnd(width)}  ${r.detail}${r.fix && r.status !== 'ok' ? `\n      ${' '.repeat(width)}  fix: ${r.fix}` : ''}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push(failed === 0
    ? `All ${results.length} checks passed: the platform would run fully isolated.`
    : `${failed} of ${results.length} checks failed: the platform would run degraded.`);
  return lines.join('\n') + '\n';
}

/** Exit status of `slipway doctor`: 0 only when nothing failed. */
export function doctorExitCode(results: CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
