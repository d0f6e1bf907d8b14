/**
 * `slipway cleanup` (packages/cli/src/commands/cleanup.ts runs this file): removes everything a
 * platform instance left on the host — processes (the platform, its router process, conmon,
 * dynos, build steps), cgroups, mounts, network namespaces, veths, iptables rules and chains,
 * address claims and its /run/slipway owner file — also after a SIGKILL and a deleted data dir.
 *
 *   cleanup [--data-dir DIR]   this data dir's instance (default: SLIPWAY_DATA_DIR or ./.slipway)
 *   cleanup --instance ID      an instance by id (its data dir may be gone)
 *   cleanup --orphans          every instance whose platform process is dead
 *
 * The data dir itself (apps, releases, slugs) is left alone. Exit 1 when something failed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CleanupRefused, cleanupInstance, findTargets, type CleanupReport, type CleanupRequest } from './cleanup/index.js';
import { loadConfig } from './config.js';
import { isInstanceId } from './isolation/index.js';

export function parseCleanupArgs(argv: string[]): CleanupRequest {
  const req: CleanupRequest = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--orphans') req.orphans = true;
    else if (a === '--instance' || a === '--data-dir') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new CleanupRefused(`${a} needs a value`);
      if (a === '--instance') {
        if (!isInstanceId(v)) throw new CleanupRefused(`--instance expects 8 lowercase hex digits (see <data dir>/instance-id or /run/slipway/instances), got "${v}"`);
        req.instance = v;
      } else req.dataDir = path.resolve(v);
    } else throw new CleanupRefused(`unknown argument "${a}" (expected --data-dir DIR, --instance ID or --orphans)`);
  }
  if (!req.orphans && !req.instance && !req.dataDir) req.dataDir = loadConfig().dataDir;
  return req;
}

export function summarize(r: CleanupReport): string {
  const count = (k: string) => r.done.filter((a) => a.kind === k).length;
  const rules = r.done.reduce((n, a) => n + (a.kind === 'iptables' ? a.rules : 0), 0);
  const parts = [
    `${count('kill')} processes`, `${count('cgroup')} cgroups`, `${count('umount')} mounts`, `${count('netns')} network namespaces`,
    `${count('link')} veths`, `${rules} iptables rules`, `${count('claim')} address claims`,
  ];
  return `instance ${r.instance}: removed ${parts.join(', ')}${r.bridgeRemoved ? `, bridge ${r.bridgeRemoved}` : ''}`;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('slipway cleanup: must run as root (it removes network namespaces, iptables rules and cgroups)\n');
    return 1;
  }
  try {
    const targets = await findTargets(parseCleanupArgs(argv));
    if (targets.length === 0) process.stdout.write('Nothing to clean up: no instance whose platform is dead.\n');
    let failed = false;
    for (const t of targets) {
      const r = await cleanupInstance(t);
      process.stdout.write(`${summarize(r)}\n`);
      for (const f of r.failures) {
        failed = true;
        process.stderr.write(`  failed: ${f.action.kind}: ${f.error}\n`);
      }
    }
    return failed ? 1 : 0;
  } catch (err) {
    if (err instanceof CleanupRefused) {
      process.stderr.write(`slipway cleanup: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then((code) => process.exit(code), (err: unknown) => {
    process.stderr.write(`slipway cleanup: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
