/**
 * Reading a process group's resource use from Linux /proc (process driver): the members of the
 * group, their summed resident memory and CPU time. Assumes 4 KiB pages and 100 clock ticks per
 * second (the values on every Linux Slipway targets).
 */
import { readdir, readFile } from 'node:fs/promises';

const PAGE_BYTES = 4096;
const TICK_MICROS = 10_000;

export interface ProcStat {
  pid: number;
  pgrp: number;
  /** `R`, `S`, `Z` (zombie: ended, waiting for its parent to reap it)… */
  state: string;
  rssBytes: number;
  cpuMicros: number;
}

/** Parses one `/proc/<pid>/stat` line; the command name may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): pgrp is field 5, utime 14, stime 15, rss 24.
  const pgrp = Number(rest[2]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const rss = Number(rest[21]);
  if (![pid, pgrp, utime, stime, rss].every(Number.isFinite)) return undefined;
  return { pid, pgrp, state: rest[0], rssBytes: rss * PAGE_BYTES, cpuMicros: (utime + stime) * TICK_MICROS };
}

/** Every live process whose process group is `pgid`. */
export async function groupMembers(pgid: number): Promise<ProcStat[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  await Promise.all(
    names.filter((n) => /^\d+$/.test(n)).map(async (n) => {
      try {
        const s = parseProcStat(await readFile(`/proc/${n}/stat`, 'utf8'));
        if (s && s.pgrp === pgid) out.push(s);
      } catch {
        // the process ended while we looked
      }
    }),
  );
  return out;
}

/** Does the group still have a live (non-zombie) member? Orphaned zombies wait for init to reap them. */
export async function groupHasLiveMembers(pgid: number): Promise<boolean> {
  return (await groupMembers(pgid)).some((m) => m.state !== 'Z');
}

/** Summed memory and CPU of a process group, or undefined when it has no members. */
export async function groupUsage(pgid: number): Promise<{ memoryBytes: number; cpuMicros: number } | undefined> {
  const members = await groupMembers(pgid);
  if (members.length === 0) return undefined;
  return members.reduce((acc, m) => ({ memoryBytes: acc.memoryBytes + m.rssBytes, cpuMicros: acc.cpuMicros + m.cpuMicros }), { memoryBytes: 0, cpuMicros: 0 });
}
