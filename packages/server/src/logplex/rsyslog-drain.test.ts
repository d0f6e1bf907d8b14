/**
 * A syslog drain into a REAL rsyslog (Debian's `rsyslogd`), started by the test in the foreground
 * with its own config in a temp dir: imtcp on a free unprivileged port (octet-counted framing),
 * omfile into a temp file with a template that keeps every RFC 5424 field. Nothing system-wide is
 * touched. Skipped (with the reason) only when rsyslogd is not installed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { aLogplex, anApp, aStore, defer, freePort, tempDir, waitFor } from './test-kit.js';

function findRsyslogd(): string | undefined {
  // Where Debian and source builds install it (root's PATH is not the tests').
  return ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin', '/bin'].map((d) => path.join(d, 'rsyslogd')).find((p) => existsSync(p));
}

/** One record per received message: fields separated by a byte that never occurs in our lines. */
const SEP = '\u001f';

interface Rsyslog {
  port: number;
  /** Parsed records written so far by omfile. */
  records(): Promise<Record<string, string>[]>;
  output(): string;
  /** SIGSTOP / SIGCONT: a receiver that stops reading (its socket buffers fill) and comes back. */
  pause(): void;
  resume(): void;
}

async function startRsyslog(t: Parameters<typeof defer>[0], bin: string): Promise<Rsyslog> {
  const dir = await tempDir(t);
  const port = await freePort();
  const out = path.join(dir, 'drain.log');
  const conf = path.join(dir, 'rsyslog.conf');
  // A list template: the fields of each message joined by SEP, one record per line.
  await fs.writeFile(conf, [
    `global(workDirectory="${dir}" maxMessageSize="64k")`,
    'module(load="imtcp")',
    'template(name="fields" type="list") {',
    ...['pri', 'timereported', 'hostname', 'app-name', 'procid', 'msgid', 'structured-data', 'msg'].flatMap((p, i) => [
      ...(i > 0 ? [`  constant(value="${SEP}")`] : []),
      p === 'timereported' ? `  property(name="${p}" dateFormat="rfc3339")` : `  property(name="${p}")`,
    ]),
    '  constant(value="\\n")',
    '}',
    'ruleset(name="drain") {',
    `  action(type="omfile" file="${out}" template="fields")`,
    '}',
    `input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="drain")`,
    '',
  ].join('\n'));
  let log = '';
  const child: ChildProcess = spawn(bin, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (log += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
    }
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  });
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}):\n${log}`);
    return new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  }, 'rsyslogd to listen', 30_000);
  return {
    port,
    output: () => log,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async records() {
      const text = await fs.readFile(out, 'utf8').catch(() => '');
      return text.split('\n').filter((l) => l !== '').map((l) => {
        const [pri, timestamp, host, appName, procid, msgid, sd, ...msg] = l.split(SEP);
        return { pri, timestamp, host, appName, procid, msgid, sd, msg: msg.join(SEP) };
      });
    },
  };
}

test('syslog:// drain into a real rsyslog: every line, in order, with its RFC 5424 fields', async (t) => {
  const bin = findRsyslogd();
  if (!bin) return t.skip('rsyslogd is not installed (Debian package rsyslog)');
  const rsyslog = await startRsyslog(t, bin);
  const store = await aStore(t);
  const app = await anApp(store, 'rsyslog-app');
  const logplex = await aLogplex(t, { store, options: { backoffMinMs: 20, backoffMaxMs: 200, batchLines: 100 } });
  await logplex.drains.add(app.id, `syslog://127.0.0.1:${rsyslog.port}`);

  logplex.publish(app.id, { source: 'app', dyno: 'api', message: 'Release v7 created by user admin@example.com' });
  logplex.publish(app.id, { source: 'heroku', dyno: 'web.1', message: 'State changed from starting to up' });
  logplex.publish(app.id, { source: 'heroku', dyno: 'router', message: 'at=info method=GET path="/" host=rsyslog-app.localhost request_id=abc fwd="127.0.0.1" dyno=web.1 connect=0ms service=3ms status=200 bytes=2 protocol=http' });
  for (let i = 0; i < 1000; i++) logplex.publish(app.id, { source: 'app', dyno: i % 2 ? 'worker.2' : 'web.1', message: `line ${i} ünïcode "quoted" [brackets] - dash` });
  // Longer than 10,000 bytes: the logplex splits it; rsyslog (maxMessageSize 64k) keeps both parts.
  logplex.publish(app.id, { source: 'app', dyno: 'run.1', message: 'x'.repeat(12_000) });
  const total = 3 + 1000 + 2;

  await waitFor(async () => (await rsyslog.records()).length >= total, `${total} records from rsyslogd`, 30_000)
    .catch(async (err) => {
      throw new Error(`${(err as Error).message}; got ${(await rsyslog.records()).length}; rsyslogd said:\n${rsyslog.output()}`);
    });
  const records = await rsyslog.records();
  const history = logplex.history(app.id, { lines: 1500 });
  assert.equal(history.length, total);
  assert.equal(records.length, total, 'nothing more, nothing doubled');
  const expectedPri = (e: (typeof history)[number]) => (e.source === 'app' ? '190' : e.dyno === 'router' ? '158' : '134');
  assert.deepEqual(records, history.map((e) => ({
    pri: expectedPri(e),
    // rsyslog keeps the reported time; it prints it with microseconds, as sent.
    timestamp: e.timestamp,
    host: 'rsyslog-app',
    appName: e.source,
    procid: e.dyno,
    msgid: '-',
    sd: '-',
    msg: e.message,
  })));
  assert.deepEqual(records.slice(-2).map((r) => r.msg.length), [10_000, 2_000]);
});

test('a stalled rsyslog (SIGSTOP): bounded drain buffer, every line delivered or counted in L10, in order', async (t) => {
  const bin = findRsyslogd();
  if (!bin) return t.skip('rsyslogd is not installed (Debian package rsyslog)');
  const rsyslog = await startRsyslog(t, bin);
  const store = await aStore(t);
  const app = await anApp(store, 'stalled-app');
  const capacity = 100;
  const logplex = await aLogplex(t, { store, config: { drainBufferLines: capacity }, options: { backoffMinMs: 20, backoffMaxMs: 200 } });
  const drain = await logplex.drains.add(app.id, `syslog://127.0.0.1:${rsyslog.port}`);
  logplex.publish(app.id, { source: 'app', dyno: 'web.1', message: 'line 0' });
  await waitFor(async () => (await rsyslog.records()).length === 1, 'the connection to be up');

  // rsyslogd stops reading: the kernel's socket buffers fill (megabytes), then the drain's writes
  // stall and its buffer overflows. Lines of 8 KiB in small slices, so the worker keeps writing
  // until the socket is full; the channel itself never waits.
  rsyslog.pause();
  const pad = 'p'.repeat(8192);
  let published = 1;
  while (published < 4000 && (logplex.drains.stats(drain.id)?.droppedTotal ?? 0) < 200) {
    for (let i = 0; i < 25; i++, published++) logplex.publish(app.id, { source: 'app', dyno: 'web.1', message: `line ${published} ${pad}` });
    await new Promise((r) => setTimeout(r, 2));
  }
  await waitFor(() => logplex.history(app.id, { lines: 1 })[0]?.message.startsWith(`line ${published - 1} `), 'the channel to take every line');
  const stalled = logplex.drains.stats(drain.id)!;
  assert.ok(stalled.droppedTotal > 0, `the drain stalled (published ${published}, delivered ${stalled.delivered})`);
  assert.equal(stalled.buffered, capacity, 'memory stays bounded by drainBufferLines while the receiver is stalled');

  rsyslog.resume();
  await waitFor(async () => (await rsyslog.records()).some((r) => r.msg.startsWith('Error L10')), 'the L10 report at rsyslogd', 60_000);
  const records = await rsyslog.records();
  const lines = records.filter((r) => r.appName === 'app').map((r) => Number(/^line (\d+)/.exec(r.msg)![1]));
  const reports = records.filter((r) => r.msg.startsWith('Error L10'));
  for (const r of reports) {
    assert.equal(r.pri, '172');
    assert.equal(r.appName, 'heroku');
    assert.equal(r.procid, 'logplex');
    assert.match(r.msg, /^Error L10 \(output buffer overflow\): \d+ messages dropped since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\.$/);
  }
  const dropped = reports.reduce((n, r) => n + Number(/: (\d+) messages/.exec(r.msg)![1]), 0);
  assert.ok(lines.every((n, i) => i === 0 || n > lines[i - 1]), 'delivered lines are in order, none doubled');
  assert.equal(lines.length + dropped, published, 'every line was delivered or counted as dropped, exactly');
  assert.equal(dropped, logplex.drains.stats(drain.id)!.droppedTotal);
  t.diagnostic(`published ${published} lines of 8 KiB; rsyslogd got ${lines.length}; L10 reported ${dropped} in ${reports.length} line(s)`);
  const l10 = logplex.history(app.id, { source: 'heroku', dyno: 'logplex' });
  assert.deepEqual(l10.map((e) => e.message), reports.map((r) => r.msg), 'the same L10 lines are on the channel');
});
