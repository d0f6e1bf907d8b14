/**
 * The stack image of Swarm dynos, derived from the host as the runc driver's stack is (the runc
 * driver binds the host's /usr; a Swarm node may be another machine, so the same files travel as an
 * image instead). It holds the Debian packages a dyno needs — node and python3 of exactly the
 * versions the buildpacks built with, sh, bash, coreutils, grep, sed, find, gzip, tar, `script`, CA
 * certificates — and their dependency closure as dpkg records it, without docs, man pages, locales
 * and headers; `/etc` is generated (passwd and group with the dyno user, the linker cache, the CA
 * bundle, alternatives), nothing else of the host's `/etc` goes in.
 *
 * The content key is a hash of the packages' names and versions plus this recipe's version: the
 * image is built once per key and reused (a host upgrade makes a new key and a new image).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readlink, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Bump when the recipe below changes what goes into the image. */
export const STACK_RECIPE_VERSION = 2;

/** The user dynos run as on Swarm (the image's `/etc/passwd`; `/app` is theirs). */
export const SWARM_DYNO_USER = Object.freeze({ name: 'dyno', uid: 1000, gid: 1000, home: '/app' });

/** What a dyno needs; dpkg's Depends/Pre-Depends closure of these is the stack. */
export const STACK_ROOT_PACKAGES: readonly string[] = [
  'nodejs', 'python3', 'dash', 'bash', 'coreutils', 'grep', 'sed', 'findutils', 'gzip', 'tar', 'mawk', 'ca-certificates', 'libc-bin',
  // `script`, for attached one-offs on a terminal (swarm-agent/attach-relay.cjs).
  'bsdutils',
];

/** Packages a running dyno never uses (package management, login, init), not followed. */
export const STACK_SKIPPED_PACKAGES: readonly string[] = [
  'debconf', 'perl-base', 'dpkg', 'init-system-helpers', 'adduser', 'passwd', 'login', 'debianutils', 'install-info', 'lsb-base',
  'sysvinit-utils', 'mount', 'util-linux',
];

/** Trees taken whole from the host rather than from dpkg's lists: npm updates itself in place (the
 * host's /usr/lib/node_modules/npm is what builds ran, whatever the nodejs package listed). */
export const STACK_HOST_TREES: readonly string[] = ['usr/lib/node_modules'];

/** Paths (under a package's file list) left out of the image. */
const SKIPPED_PREFIXES = ['/usr/share/doc/', '/usr/share/man/', '/usr/share/info/', '/usr/share/locale/', '/usr/share/lintian/', '/usr/include/'];

export interface InstalledPackage {
  name: string;
  version: string;
  depends: string[][];
  provides: string[];
}

/** Parses `dpkg-query -W -f '${Package}\t${Version}\t${Status}\t${Depends}, ${Pre-Depends}\t${Provides}\n'`. */
export function parseDpkgQuery(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const line of text.split('\n')) {
    const [name, version, status, deps, provides] = line.split('\t');
    if (!name || !status?.endsWith(' installed')) continue;
    const bare = (s: string) => s.trim().split(/[\s:(]/)[0]!;
    out.push({
      name: bare(name),
      version: version ?? '',
      depends: (deps ?? '').split(',').map((alt) => alt.split('|').map(bare).filter(Boolean)).filter((a) => a.length > 0),
      provides: (provides ?? '').split(',').map(bare).filter(Boolean),
    });
  }
  return out;
}

/** The installed packages reachable from `roots` through Depends (first installed alternative). */
export function packageClosure(installed: InstalledPackage[], roots: readonly string[], skipped: readonly string[]): InstalledPackage[] {
  const byName = new Map(installed.map((p) => [p.name, p]));
  const provider = new Map<string, InstalledPackage>();
  for (const p of installed) for (const v of p.provides) if (!provider.has(v)) provider.set(v, p);
  const resolve = (n: string) => byName.get(n) ?? provider.get(n);
  const seen = new Map<string, InstalledPackage>();
  const todo = [...roots];
  while (todo.length > 0) {
    const p = resolve(todo.pop()!);
    if (!p || seen.has(p.name) || skipped.includes(p.name)) continue;
    seen.set(p.name, p);
    for (const alts of p.depends) {
      const hit = alts.find((a) => resolve(a) !== undefined);
      if (hit) todo.push(hit);
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function stackKey(packages: InstalledPackage[]): string {
  const h = createHash('sha256').update(`recipe=${STACK_RECIPE_VERSION} user=${SWARM_DYNO_USER.uid}:${SWARM_DYNO_USER.gid}\n`);
  for (const p of packages) h.update(`${p.name}=${p.version}\n`);
  return h.digest('hex');
}

export async function stackPackages(): Promise<InstalledPackage[]> {
  const { stdout } = await run('dpkg-query', ['-W', '-f', '${Package}\t${Version}\t${Status}\t${Depends}, ${Pre-Depends}\t${Provides}\n'], { maxBuffer: 64 << 20 });
  return packageClosure(parseDpkgQuery(stdout), STACK_ROOT_PACKAGES, STACK_SKIPPED_PACKAGES);
}

/** Host paths of the packages' files, canonical (usrmerge: /bin/sh → /usr/bin/sh), with parents. */
async function packageFiles(packages: InstalledPackage[]): Promise<string[]> {
  const { stdout } = await run('dpkg-query', ['-L', ...packages.map((p) => p.name)], { maxBuffer: 64 << 20 });
  const files = new Set<string>();
  const dirReal = new Map<string, string>();
  for (const raw of stdout.split('\n')) {
    if (!raw.startsWith('/') || raw === '/.' || SKIPPED_PREFIXES.some((s) => raw.startsWith(s))) continue;
    const dir = path.dirname(raw);
    let real = dirReal.get(dir);
    if (real === undefined) {
      real = await realpath(dir).catch(() => dir);
      dirReal.set(dir, real);
    }
    const p = path.join(real, path.basename(raw));
    const st = await lstat(p).catch(() => null);
    if (!st || st.isDirectory()) continue;
    files.add(p);
  }
  // The CA bundle and its hash links are made at install time, not listed by dpkg.
  for (const name of await readdir('/etc/ssl/certs').catch(() => [] as string[])) files.add(`/etc/ssl/certs/${name}`);
  files.add('/etc/ld.so.cache');
  // Alternatives whose target is in the image (awk → mawk).
  for (const name of await readdir('/etc/alternatives').catch(() => [] as string[])) {
    const target = await readlink(`/etc/alternatives/${name}`).catch(() => null);
    if (target && files.has(target)) files.add(`/etc/alternatives/${name}`);
  }
  return [...files].sort();
}

export function stackEtcFiles(): Record<string, string> {
  const u = SWARM_DYNO_USER;
  return {
    'etc/passwd': `root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n${u.name}:x:${u.uid}:${u.gid}:dyno:${u.home}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    'etc/group': `root:x:0:\n${u.name}:x:${u.gid}:\nnogroup:x:65534:\n`,
    'etc/nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
  };
}

/**
 * Writes the stack's root filesystem as a tar file (what `docker import` takes) under `workDir`
 * and returns its path. Directory entries come from tar's parents; ownership is the host's (root).
 */
export async function writeStackTar(packages: InstalledPackage[], workDir: string): Promise<string> {
  const files = await packageFiles(packages);
  const stage = path.join(workDir, 'stage');
  await mkdir(path.join(stage, 'etc'), { recursive: true });
  for (const [rel, body] of Object.entries(stackEtcFiles())) await writeFile(path.join(stage, rel), body);
  for (const d of ['app', 'tmp']) await mkdir(path.join(stage, d), { recursive: true });
  // usrmerge links (/bin → usr/bin…) as on the host.
  const present: string[] = [];
  for (const l of ['bin', 'sbin', 'lib', 'lib64']) if ((await lstat(`/${l}`).catch(() => null))?.isSymbolicLink()) present.push(l);
  const list = path.join(workDir, 'files');
  const listed = files.map((f) => f.slice(1)).filter((f) => !present.includes(f) && !STACK_HOST_TREES.some((t) => f === t || f.startsWith(`${t}/`)));
  await writeFile(list, listed.join('\n') + '\n');
  const out = path.join(workDir, 'stack.tar');
  await run('tar', ['-cf', out, '--numeric-owner', '-C', '/', '--no-recursion', ...present, '--files-from', list], { maxBuffer: 16 << 20 });
  const trees: string[] = [];
  for (const t of STACK_HOST_TREES) if ((await lstat(`/${t}`).catch(() => null))?.isDirectory()) trees.push(t);
  if (trees.length > 0) await run('tar', ['-rf', out, '--numeric-owner', '-C', '/', ...trees]);
  await run('tar', ['-rf', out, '--numeric-owner', '--owner=0', '--group=0', '-C', stage, 'etc/passwd', 'etc/group', 'etc/nsswitch.conf']);
  await run('tar', ['-rf', out, '--numeric-owner', `--owner=${SWARM_DYNO_USER.uid}`, `--group=${SWARM_DYNO_USER.gid}`, '--no-recursion', '-C', stage, 'app']);
  await run('tar', ['-rf', out, '--numeric-owner', '--owner=0', '--group=0', '--mode=1777', '--no-recursion', '-C', stage, 'tmp']);
  return out;
}
