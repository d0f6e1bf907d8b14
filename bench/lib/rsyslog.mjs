// The logs benchmark's peer: Debian's rsyslogd relaying syslog over TCP, started in the foreground
// with its own config in a temp dir (nothing system-wide is touched): an imtcp input on a free
// port (octet-counted frames accepted) → an omfwd TCP output with octet-counted framing, RFC 5424
// (RSYSLOG_SyslogProtocol23Format), to the given receiver. Defaults otherwise (main queue, no
// rate limit on imtcp), as a packaged rsyslog relays.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePort, run, waitFor } from './proc.mjs';

export function findRsyslogd() {
  // Where Debian and source builds install it (a non-root PATH often lacks the sbin dirs).
  return ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin', '/bin'].map((d) => path.join(d, 'rsyslogd')).find((p) => existsSync(p));
}

export async function rsyslogVersion(bin) {
  const r = await run(bin, ['-v'], { timeoutMs: 10_000 });
  return /rsyslogd\s+(\S+)/.exec(r.output)?.[1] ?? null;
}

/** The config: one relay ruleset from imtcp to omfwd. */
export function relayConfig({ dir, inPort, targetPort }) {
  return [
    `global(workDirectory="${dir}" maxMessageSize="64k")`,
    'module(load="imtcp")',
    'ruleset(name="relay") {',
    `  action(type="omfwd" target="127.0.0.1" port="${targetPort}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format" action.resumeRetryCount="-1")`,
    '}',
    `input(type="imtcp" address="127.0.0.1" port="${inPort}" ruleset="relay")`,
    '',
  ].join('\n');
}

/** Starts rsyslogd (owned by the scope) relaying to 127.0.0.1:targetPort; resolves { port, version }. */
export async function startRsyslogRelay(scope, { bin, targetPort }) {
  const dir = await scope.tmpdir('rsyslog');
  const inPort = await freePort();
  const conf = path.join(dir, 'rsyslog.conf');
  await writeFile(conf, relayConfig({ dir, inPort, targetPort }));
  const child = scope.spawn(bin, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')]);
  await waitFor('rsyslogd to listen', async () => {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}):\n${child.output()}`);
    return new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: inPort }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  }, 30_000, 50);
  return { port: inPort, output: () => child.output() };
}
