/**
 * The Docker Engine API client of the swarm runtime (dockerode), configured from DOCKER_HOST,
 * DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as every Docker client reads them (through config.ts, the
 * only reader of the environment), and the probe `slipway doctor` and the boot use: is the daemon
 * reachable, and is it a Swarm manager (only a manager can create services).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Config } from '../config.js';

export type DockerClientConfig = Pick<Config, 'dockerHost' | 'dockerTlsVerify' | 'dockerCertPath'>;

/** Pure: dockerode's options for a DOCKER_HOST (`unix:///path`, `tcp://host:port`, `/path`). */
export function dockerOptions(cfg: DockerClientConfig, readCert: (name: string) => Buffer = (n) => readFileSync(path.join(cfg.dockerCertPath || path.join(homedir(), '.docker'), n))): Docker.DockerOptions {
  const host = cfg.dockerHost || 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const m = /^(?:tcp|https?):\/\/\[?([^\]/]+?)\]?:(\d+)\/?$/.exec(host);
  if (!m) throw new Error(`DOCKER_HOST=${host}: expected unix:///path or tcp://host:port`);
  const tls = cfg.dockerTlsVerify !== '' && cfg.dockerTlsVerify !== '0';
  if (!tls) return { host: m[1], port: Number(m[2]), protocol: 'http' };
  return { host: m[1], port: Number(m[2]), protocol: 'https', ca: readCert('ca.pem'), cert: readCert('cert.pem'), key: readCert('key.pem') };
}

export function createDockerClient(cfg: DockerClientConfig): Docker {
  return new Docker(dockerOptions(cfg));
}

export type SwarmStatus =
  | { ok: true; detail: string; nodes: number }
  | { ok: false; detail: string; fix: string };

/** Is DOCKER_HOST a reachable Swarm manager? One line for `slipway doctor` and the boot's refusal. */
export async function probeSwarm(docker: Docker, hostLabel: string): Promise<SwarmStatus> {
  let info: { ServerVersion?: string; Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; Nodes?: number; NodeAddr?: string } };
  try {
    info = (await docker.info()) as typeof info;
  } catch (err) {
    return { ok: false, detail: `the Docker daemon at ${hostLabel} is not reachable: ${(err as Error).message}`, fix: 'set DOCKER_HOST (and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) to a Swarm manager\'s Engine API' };
  }
  const swarm = info.Swarm ?? {};
  if (swarm.LocalNodeState !== 'active') {
    return { ok: false, detail: `Docker ${info.ServerVersion ?? '?'} at ${hostLabel} is not part of a swarm (state ${swarm.LocalNodeState ?? 'unknown'})`, fix: 'docker swarm init --advertise-addr <this node\'s address> on the manager (docs/swarm.md)' };
  }
  if (!swarm.ControlAvailable) {
    return { ok: false, detail: `Docker ${info.ServerVersion ?? '?'} at ${hostLabel} is a swarm worker, not a manager`, fix: 'point DOCKER_HOST at a manager node (docker node ls shows them)' };
  }
  return { ok: true, detail: `Docker ${info.ServerVersion ?? '?'} at ${hostLabel} is a swarm manager (${swarm.Nodes ?? '?'} nodes, this one ${swarm.NodeAddr ?? '?'})`, nodes: swarm.Nodes ?? 0 };
}
