/**
 * The container's root directory and its generated `/etc`. The files' contents are pure functions
 * (passwd, group, hosts, resolv.conf, nsswitch.conf); a thin layer writes them. Nothing of the
 * host's `/etc` is exposed except the dynamic linker cache (copied), `/etc/alternatives` and the
 * public CA certificates (bound read-only): no shadow, no keys, no host names.
 */
import { chmod, copyFile, lstat, mkdir, readFile, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { STACK_ENTRIES, type BindMount, type HostEntry } from './oci-spec.js';

export interface EtcUser {
  uid: number;
  gid: number;
  name: string;
  home: string;
}

export interface HostsEntry {
  ip: string;
  names: string[];
}

export interface EtcInput {
  hostname: string;
  user: EtcUser;
  hosts: HostsEntry[];
  nameservers: string[];
}

/** Public resolvers used when the host only has a loopback resolver (unreachable from a netns). */
export const FALLBACK_NAMESERVERS: readonly string[] = ['1.1.1.1', '8.8.8.8'];

export function passwdFile(user: EtcUser): string {
  return [
    'root:x:0:0:root:/nonexistent:/usr/sbin/nologin',
    `${user.name}:x:${user.uid}:${user.gid}:dyno:${user.home}:/bin/sh`,
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    '',
  ].join('\n');
}

export function groupFile(user: EtcUser): string {
  return ['root:x:0:', `${user.name}:x:${user.gid}:`, 'nogroup:x:65534:', ''].join('\n');
}

export function hostsFile(hostname: string, entries: HostsEntry[]): string {
  const lines = ['127.0.0.1\tlocalhost', `127.0.1.1\t${hostname}`, '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const e of entries) lines.push(`${e.ip}\t${e.names.join(' ')}`);
  return lines.join('\n') + '\n';
}

export function resolvConf(nameservers: string[]): string {
  return nameservers.map((n) => `nameserver ${n}`).join('\n') + '\n';
}

/** Nameservers of the host's resolv.conf that a container can reach (not loopback), else public ones. */
export function usableNameservers(hostResolvConf: string): string[] {
  const out: string[] = [];
  for (const line of hostResolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const ns = m[1];
    if (ns.startsWith('127.') || ns === '::1' || ns.startsWith('0.')) continue;
    out.push(ns);
  }
  return out.length > 0 ? out : [...FALLBACK_NAMESERVERS];
}

export function etcFiles(input: EtcInput): Record<string, string> {
  return {
    passwd: passwdFile(input.user),
    group: groupFile(input.user),
    hosts: hostsFile(input.hostname, input.hosts),
    hostname: `${input.hostname}\n`,
    'resolv.conf': resolvConf(input.nameservers),
    'nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n',
  };
}

/** Read-only binds of host `/etc` parts that are public and needed by the stack. */
export const HOST_ETC_BINDS: readonly string[] = ['/etc/alternatives', '/etc/ssl/certs'];

/** The host's top-level stack entries (`/bin` etc.): which exist, as dirs or symlinks. */
export async function probeHostEntries(hostRoot = '/'): Promise<HostEntry[]> {
  const out: HostEntry[] = [];
  for (const name of STACK_ENTRIES) {
    try {
      const st = await lstat(path.join(hostRoot, name));
      if (st.isSymbolicLink()) out.push({ name, kind: 'symlink', target: await readlink(path.join(hostRoot, name)) });
      else if (st.isDirectory()) out.push({ name, kind: 'dir' });
    } catch {
      // absent on this host
    }
  }
  return out;
}

/**
 * Creates the root directory: mount points and the stack's symlinks (`bin -> usr/bin`). The `/tmp`
 * mount point is 1777: runc 1.1 gives a tmpfs the mode of the directory it is mounted on, whatever
 * its `mode=` option says, so a 0755 mount point made `/tmp` unwritable for the dyno user.
 */
export async function prepareRootfs(rootfs: string, hostEntries: HostEntry[]): Promise<void> {
  for (const d of ['proc', 'dev', 'sys', 'usr', 'etc', 'tmp', 'app']) await mkdir(path.join(rootfs, d), { recursive: true });
  await chmod(path.join(rootfs, 'tmp'), 0o1777);
  for (const e of hostEntries) {
    const p = path.join(rootfs, e.name);
    if (e.kind === 'dir') await mkdir(p, { recursive: true });
    else if (e.target !== undefined) await symlink(e.target, p);
  }
}

/** Writes the generated `/etc` and returns the host binds to mount over it (mount points created). */
export async function writeEtc(etcDir: string, input: EtcInput): Promise<BindMount[]> {
  await mkdir(etcDir, { recursive: true });
  for (const [name, content] of Object.entries(etcFiles(input))) await writeFile(path.join(etcDir, name), content, { mode: 0o644 });
  try {
    await copyFile('/etc/ld.so.cache', path.join(etcDir, 'ld.so.cache'));
  } catch {
    // no linker cache on this host: the default paths still work
  }
  const binds: BindMount[] = [];
  for (const src of HOST_ETC_BINDS) {
    try {
      if (!(await lstat(src)).isDirectory()) continue;
    } catch {
      continue;
    }
    await mkdir(path.join(etcDir, path.relative('/etc', src)), { recursive: true });
    binds.push({ source: src, destination: src, readonly: true });
  }
  return binds;
}

/** Replaces `/etc/hosts` of a running container (its `/etc` is a bind of this directory). */
export async function rewriteHosts(etcDir: string, hostname: string, entries: HostsEntry[]): Promise<void> {
  const tmp = path.join(etcDir, `.hosts.${process.pid}.${Date.now()}`);
  await writeFile(tmp, hostsFile(hostname, entries), { mode: 0o644 });
  await rename(tmp, path.join(etcDir, 'hosts'));
}

export async function hostNameservers(): Promise<string[]> {
  try {
    return usableNameservers(await readFile('/etc/resolv.conf', 'utf8'));
  } catch {
    return [...FALLBACK_NAMESERVERS];
  }
}
