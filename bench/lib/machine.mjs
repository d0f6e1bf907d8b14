// The machine and peers a run was measured on.
import os from 'node:os';
import { run } from './proc.mjs';

export function describeMachine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown', cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10, kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(), node: process.version, loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const PEERS = [
  { name: 'nginx', pkg: 'nginx', version: ['nginx', ['-v']] },
  { name: 'wrk', pkg: 'wrk', version: ['wrk', ['--version']] },
  { name: 'runc', pkg: 'runc', version: ['runc', ['--version']] },
  { name: 'rsyslog', pkg: 'rsyslog', version: ['/usr/sbin/rsyslogd', ['-v']] },
];

async function version([cmd, args]) {
  const r = await run(cmd, args, { timeoutMs: 10_000 });
  const first = r.output.split('\n').find((l) => l.trim() !== '') ?? '';
  // wrk prints its version and exits 1
  if (/not found|ENOENT|spawn/.test(first) || first === '') return null;
  return first.replace(/^nginx version: /, '').replace(/\s+Copyright.*$/, '').trim();
}

/** Checks the peers and, as root on Debian, installs the missing ones with apt-get. */
export async function ensurePeers(log) {
  const out = {};
  let updated = false;
  for (const p of PEERS) {
    let v = await version(p.version);
    if (v === null && process.getuid?.() === 0) {
      log(`peers: ${p.name} missing, installing the Debian package ${p.pkg}`);
      if (!updated) { await run('apt-get', ['update'], { timeoutMs: 300_000 }); updated = true; }
      const r = await run('apt-get', ['install', '-y', '--no-install-recommends', p.pkg], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 600_000 });
      if (r.code !== 0) log(`peers: installing ${p.pkg} failed: ${r.output.slice(-500)}`);
      v = await version(p.version);
    }
    out[p.name] = v;
  }
  return out;
}
