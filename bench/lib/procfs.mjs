// Reading /proc: the process tree under a pid (plus conmon shims that name the data dir), each
// process classified as a dyno (its environment has DYNO=) or the platform, and its RSS.
import { readdir, readFile } from 'node:fs/promises';

async function read(p) {
  try {
    return await readFile(p);
  } catch {
    return null;
  }
}

export async function processTable() {
  const rows = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await read(`/proc/${name}/stat`);
    if (!stat) continue;
    const s = stat.toString('utf8');
    const after = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const status = (await read(`/proc/${name}/status`))?.toString('utf8') ?? '';
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const cmdline = ((await read(`/proc/${name}/cmdline`))?.toString('utf8') ?? '').replace(/\0/g, ' ').trim();
    rows.push({ pid: Number(name), ppid: Number(after[1]), rssKb, cmdline });
  }
  return rows;
}

async function dynoName(pid) {
  const env = (await read(`/proc/${pid}/environ`))?.toString('utf8') ?? '';
  return /(?:^|\0)DYNO=([^\0]+)/.exec(env)?.[1] ?? null;
}

/**
 * Everything Slipway runs: the tree under `rootPid` and under any process whose command line
 * mentions `dataDir` (runc's conmon shims are not children of the platform).
 * @returns {{ platformKb: number, dynoKb: number, platform: object[], dynos: Map<string, number> }}
 */
export async function slipwayMemory(rootPid, dataDir) {
  const rows = await processTable();
  const children = new Map();
  for (const r of rows) children.set(r.ppid, [...(children.get(r.ppid) ?? []), r]);
  const roots = rows.filter((r) => r.pid === rootPid || (dataDir && r.cmdline.includes(dataDir)));
  const seen = new Map();
  const stack = [...roots];
  while (stack.length > 0) {
    const r = stack.pop();
    if (seen.has(r.pid)) continue;
    seen.set(r.pid, r);
    stack.push(...(children.get(r.pid) ?? []));
  }
  let platformKb = 0;
  let dynoKb = 0;
  const platform = [];
  const dynos = new Map();
  for (const r of seen.values()) {
    const dyno = await dynoName(r.pid);
    if (dyno) {
      dynoKb += r.rssKb;
      dynos.set(dyno, (dynos.get(dyno) ?? 0) + r.rssKb);
    } else {
      platformKb += r.rssKb;
      platform.push({ pid: r.pid, rssKb: r.rssKb, cmd: r.cmdline.slice(0, 120) });
    }
  }
  return { platformKb, dynoKb, platform, dynos };
}

/** SIGKILLs every process whose command line names `dir` (runc's conmon shims) and all they started. */
export async function killUnder(dir) {
  const rows = await processTable();
  const children = new Map();
  for (const r of rows) children.set(r.ppid, [...(children.get(r.ppid) ?? []), r]);
  const stack = rows.filter((r) => r.cmdline.includes(dir) && r.pid !== process.pid);
  const doomed = new Set();
  while (stack.length > 0) {
    const r = stack.pop();
    if (doomed.has(r.pid)) continue;
    doomed.add(r.pid);
    stack.push(...(children.get(r.pid) ?? []));
  }
  for (const pid of doomed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  return doomed.size;
}
