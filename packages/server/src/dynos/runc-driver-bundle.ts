/**
 * The OCI bundle of one dyno start: the root directory, a generated `/etc` (the dyno user, the
 * app's other dynos in `/etc/hosts`), and `config.json` from isolation/'s spec builder with the
 * dyno's size: memory hard limit at twice the quota (Heroku kills with R15 at 2×; the manager logs
 * R14 past the quota, which is also the soft limit), CPU shares, pids; the rootfs, `/etc`, `/app`'s
 * overlay upper layer and `/tmp` on the dyno's size-limited scratch filesystem (runc-driver-scratch.ts).
 *
 * PID 1 in the container is a small `sh` that sources `.profile.d/*.sh` and `.profile`, runs the
 * command as its child and forwards SIGTERM/SIGINT (PID 1 of a namespace ignores signals it has no
 * handler for, so the command itself must not be PID 1); the command arrives as `$1`, never
 * interpolated into the script. After a SIGTERM it exits only once every other process has (so a
 * command's graceful shutdown is not cut short when its own shell dies first).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildOciSpec, hostHasIpv6, hostNameservers, prepareRootfs, probeHostEntries, writeEtc, type ContainerUser } from '../isolation/index.js';
import type { DynoSpec } from './driver.js';
import type { DynoMeta } from './runc-driver-disk.js';
import { OVERLAY_RELATIVE, scratchDir, scratchPaths } from './runc-driver-scratch.js';

/** The port web dynos bind inside their own network namespace. */
export const DYNO_PORT = 5000;

export const DYNO_INIT =
  'for f in "$HOME"/.profile.d/*.sh; do [ -r "$f" ] && . "$f"; done; ' +
  '[ -r "$HOME/.profile" ] && . "$HOME/.profile"; ' +
  // A background job's stdin is /dev/null before its own redirections apply, so `<&0` would be
  // too: keep the real stdin (attached one-offs) on fd 3 and hand that over.
  'exec 3<&0; /bin/sh -c "$1" <&3 3<&- & p=$!; exec 3<&-; ' +
  "trap 't=1; kill -TERM $p 2>/dev/null' TERM; trap 'kill -INT $p 2>/dev/null' INT; " +
  'while :; do wait $p; s=$?; kill -0 $p 2>/dev/null || break; done; ' +
  // During a stop every process got SIGTERM; the command's own shell may die of it first. PID 1
  // leaving would SIGKILL the rest, so wait until only zombies are left (the driver SIGKILLs
  // everything after the grace period anyway). Builtins only: no process of ours is counted.
  'while [ -n "$t" ]; do t=; for d in /proc/[0-9]*; do [ "$d" = /proc/1 ] && continue; ' +
  'l=; read -r l < "$d/stat" 2>/dev/null || continue; case "$l" in *") Z "*) ;; *) t=1 ;; esac; done; ' +
  '[ -n "$t" ] && sleep 0.1; done; exit $s';

export function internalName(m: Pick<DynoMeta, 'name' | 'appName'>): string {
  return `${m.name}.${m.appName}.internal`;
}

export async function writeDynoBundle(b: {
  dir: string;
  spec: DynoSpec;
  meta: DynoMeta;
  netnsPath: string;
  peers: DynoMeta[];
  user: ContainerUser & { name: string };
}): Promise<void> {
  const { dir, spec, user } = b;
  const hostEntries = await probeHostEntries();
  const { rootfs, etc } = scratchPaths(dir);
  await prepareRootfs(rootfs, hostEntries);
  const etcBinds = await writeEtc(etc, {
    hostname: spec.name,
    user: { uid: user.uid, gid: user.gid, name: user.name, home: '/app' },
    hosts: b.peers.filter((m) => m.ip !== null).map((m) => ({ ip: m.ip as string, names: [internalName(m)] })),
    nameservers: await hostNameservers(),
  });
  const env: Record<string, string> = { PATH: '/app/bin:/usr/local/bin:/usr/bin:/bin', ...spec.env, HOME: '/app', DYNO: spec.name };
  if (spec.needsPort) env.PORT = String(DYNO_PORT);
  const quota = spec.size.memoryMb * 1024 * 1024;
  const oci = buildOciSpec({
    hostname: spec.name,
    args: ['/bin/sh', '-c', DYNO_INIT, 'dyno', spec.command],
    env,
    cwd: '/app',
    user,
    rootfs,
    hostEntries,
    etcDir: etc,
    binds: etcBinds,
    app: { kind: 'overlay', ...OVERLAY_RELATIVE },
    tmpfsBytes: 0,
    tmpDir: path.join(scratchDir(dir), 'tmp'),
    limits: { memoryBytes: 2 * quota, memoryReservationBytes: quota, cpuShares: spec.size.cpuShares, pids: spec.size.pids },
    cgroupsPath: b.meta.cgroupsPath,
    network: { kind: 'netns', path: b.netnsPath },
    hostIpv6: await hostHasIpv6(),
    arch: process.arch,
  });
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(oci));
}
