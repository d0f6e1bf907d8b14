import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';
import { splitOutput } from '../../api/rendezvous.js';
import { buildCommand } from './detached.js';

const api = useMockApi();

describe('run:detached', () => {
  it('POSTs a detached one-off dyno and tells how to see its output', async () => {
    api.expect('POST', '/apps/myapp/dynos', { status: 201, body: { name: 'run.1', state: 'starting' } });
    const r = await runCommand(['run:detached', '-a', 'myapp', '-s', 'standard-2x', '-e', 'A=1;B=x=y', 'rake', 'db:migrate', '--trace'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { attach: false, command: 'rake db:migrate --trace', env: { A: '1', B: 'x=y' }, size: 'standard-2x' });
    assert.equal(r.stderr, 'Running rake db:migrate --trace on myapp... done, run.1\n');
    assert.equal(r.stdout, 'Run slipway logs --app myapp --dyno run.1 to view the output.\n');
    api.assertDone();
  });

  it('retries a 409 (release not ready) twice', async () => {
    api.expect('POST', '/apps/myapp/dynos', { status: 409, body: { id: 'conflict', message: 'not yet' } });
    api.expect('POST', '/apps/myapp/dynos', { status: 201, body: { name: 'run.2' } });
    const r = await runCommand(['run', '--detached', '-a', 'myapp', '--', 'echo', 'hi there'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((api.requests[1].body as { command: string }).command, 'echo "hi there"');
    api.assertDone();
  });
});

describe('run (attached: the rendezvous protocol over TLS)', () => {
  let certDir: string;
  let cert: string;
  let key: string;
  let server: tls.Server | undefined;
  /** What the fake rendezvous received after the secret line. */
  let received: string;
  let secretLine: string;

  before(() => {
    certDir = mkdtempSync(path.join(os.tmpdir(), 'slipway-cli-rdv-'));
    const r = spawnSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    cert = readFileSync(path.join(certDir, 'cert.pem'), 'utf8');
    key = readFileSync(path.join(certDir, 'key.pem'), 'utf8');
  });
  after(() => rmSync(certDir, { recursive: true, force: true }));
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  /** A rendezvous endpoint that greets, sends `output` once the client's input ended (\x04), then closes. */
  const fakeRendezvous = async (output: string[]): Promise<number> => {
    received = '';
    secretLine = '';
    server = tls.createServer({ key, cert }, (socket) => {
      let buf = '';
      let greeted = false;
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        if (!greeted) {
          buf += d;
          const nl = buf.indexOf('\r\n');
          if (nl < 0) return;
          secretLine = buf.slice(0, nl);
          greeted = true;
          socket.write('rendezvous\r\n');
          return;
        }
        received += d;
        if (received.includes('\x04')) {
          for (const o of output) socket.write(o);
          socket.end();
        }
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return (server!.address() as AddressInfo).port;
  };

  it('POSTs attach:true, sends the secret, pipes stdin (then \\x04), prints output and exits with the status', async () => {
    const port = await fakeRendezvous(['got input\r\n', 'partial\uFFFF heroku-command', '-exit-status: 3']);
    api.expect('POST', '/apps/myapp/dynos', { status: 201, body: { name: 'run.7', state: 'starting', attach_url: `rendezvous://localhost:${port}/s3cret?x=1` } });
    const r = await runCommand(['run', '-a', 'myapp', '--ca-cert', path.join(certDir, 'cert.pem'), '-e', 'A=1', '--', 'cat', 'a b'], { apiUrl: api.url, stdin: 'line one\n' });
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(api.requests[0].body, { attach: true, command: 'cat "a b"', env: { TERM: 'xterm', A: '1' } });
    assert.equal(secretLine, 's3cret?x=1');
    assert.equal(received, 'line one\n\x04');
    assert.equal(r.stdout, 'got input\npartial');
    assert.match(r.stderr, /Running cat "a b" on myapp\.\.\. up, run\.7/);
    assert.match(r.stderr, /Error: Process exited with code 3/);
    api.assertDone();
  });

  it('exit status 0 is success; output that merely contains \\uFFFF is printed', async () => {
    const port = await fakeRendezvous(['odd \uFFFF char\n', '\uFFFF heroku-command-exit-status: 0']);
    api.expect('POST', '/apps/myapp/dynos', { status: 201, body: { name: 'run.8', attach_url: `rendezvous://127.0.0.1:${port}/x` } });
    const r = await runCommand(['run', '-a', 'myapp', '--no-tty', '--ca-cert', path.join(certDir, 'cert.pem'), 'true'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((api.requests[0].body as { force_no_tty?: boolean }).force_no_tty, true);
    assert.equal(r.stdout, 'odd \uFFFF char\n');
  });

  it('an untrusted certificate is a clear error naming --ca-cert', async () => {
    const port = await fakeRendezvous([]);
    api.expect('POST', '/apps/myapp/dynos', { status: 201, body: { name: 'run.9', attach_url: `rendezvous://localhost:${port}/x` } });
    const r = await runCommand(['run', '-a', 'myapp', 'true'], { apiUrl: api.url });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot reach the dyno at localhost:\d+: .*--ca-cert/);
  });

  it('splitOutput holds back only what may still become the exit marker', () => {
    assert.deepEqual(splitOutput('abc'), { print: 'abc', hold: '' });
    assert.deepEqual(splitOutput('abc\uFFFF heroku'), { print: 'abc', hold: '\uFFFF heroku' });
    assert.deepEqual(splitOutput('abc\uFFFF heroku-command-exit-status: 1'), { print: 'abc\uFFFF heroku-command-exit-status: 1', hold: '' });
    assert.deepEqual(splitOutput('abc\uFFFF other'), { print: 'abc\uFFFF other', hold: '' });
  });

  it('joins arguments as the heroku CLI does', () => {
    assert.equal(buildCommand(['ls -la']), 'ls -la');
    assert.equal(buildCommand(['ls', '-la', 'a b', 'say "x"']), 'ls -la "a b" "say \\"x\\""');
  });
});
