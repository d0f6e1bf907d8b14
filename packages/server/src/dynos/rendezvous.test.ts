/**
 * The rendezvous listener over real TLS with the platform's self-signed certificate, relaying real
 * one-off dynos of the dyno manager (process driver, SQLite store): output, input with `\x04`,
 * exit status, pty, app log lines, refused secrets, clients that leave or never come.
 */
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { wantsTty } from '../api/routes/dynos.js';
import { ensureCertificate, type TlsMaterial } from '../api/tls/index.js';
import { silentLogger } from '../log/index.js';
import { makeKit, type Kit } from './manager.fixture.js';
import type { DynoManager } from './manager.js';
import type { OneOffSession } from './one-off.js';
import { createRendezvous, type Rendezvous } from './rendezvous.js';
import {
  attachUrl, exitMarker, GREETING, readSecretLine, splitInput, takeExitMarker,
} from './rendezvous-protocol.js';

describe('rendezvous protocol (pure)', () => {
  it('reads the secret line, with or without \\r, a query or a leading slash', () => {
    assert.deepEqual(readSecretLine(Buffer.from('abc')), { kind: 'more' });
    const l = readSecretLine(Buffer.from('abc?x=1\r\nrest'));
    assert.equal(l.kind, 'line');
    assert.equal(l.kind === 'line' && l.secret, 'abc');
    assert.equal(l.kind === 'line' && l.rest.toString(), 'rest');
    const m = readSecretLine(Buffer.from('/s3cret\n'));
    assert.equal(m.kind === 'line' && m.secret, 's3cret');
    assert.deepEqual(readSecretLine(Buffer.alloc(2000, 0x61)), { kind: 'bad' });
  });

  it('a pty only when the client\'s terminal is one (COLUMNS and LINES sent) and --no-tty was not given', () => {
    assert.equal(wantsTty({ env: { TERM: 'xterm' } }), false);
    assert.equal(wantsTty({ env: { TERM: 'xterm', COLUMNS: '120', LINES: '40' } }), true);
    assert.equal(wantsTty({ env: { COLUMNS: '120', LINES: '40' }, force_no_tty: true }), false);
    assert.equal(wantsTty({}), false);
  });

  it('\\x04 ends input only without a pty', () => {
    assert.deepEqual(splitInput(Buffer.from('ab\x04cd'), false), { data: Buffer.from('ab'), eof: true });
    assert.deepEqual(splitInput(Buffer.from('ab\x04cd'), true), { data: Buffer.from('ab\x04cd'), eof: false });
    assert.deepEqual(splitInput(Buffer.from('ab'), false), { data: Buffer.from('ab'), eof: false });
  });

  it('the exit marker starts a line, and our client takes it out', () => {
    assert.equal(exitMarker(3, 0x0a), '\uFFFF heroku-command-exit-status: 3');
    assert.equal(exitMarker(0, 0x61), '\r\n\uFFFF heroku-command-exit-status: 0');
    assert.equal(exitMarker(0, undefined), '\uFFFF heroku-command-exit-status: 0');
    assert.deepEqual(takeExitMarker('hi\n\uFFFF heroku-command-exit-status: 7'), { text: 'hi\n', status: 7 });
    assert.deepEqual(takeExitMarker('hi'), { text: 'hi', status: null });
    assert.equal(attachUrl('localhost', 5001, 'x'), 'rendezvous://localhost:5001/x');
    assert.equal(attachUrl('::1', 5001, 'x'), 'rendezvous://[::1]:5001/x');
  });
});

describe('rendezvous listener (TLS, real one-off dynos)', { timeout: 90_000 }, () => {
  let certDir: string;
  let material: TlsMaterial;
  let kit: Kit;
  let manager: DynoManager;
  let rdv: Rendezvous;

  before(async () => {
    certDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-rdv-cert-'));
    const made = await ensureCertificate({ dataDir: certDir, domain: 'localhost', logger: silentLogger });
    assert.ok(made, 'openssl is needed for this test');
    material = made;
  });
  after(async () => {
    await rm(certDir, { recursive: true, force: true });
  });

  const setup = async (opts: { claimTimeoutMs?: number } = {}) => {
    kit = await makeKit({ stopGraceMs: 2000 });
    manager = kit.manager();
    await manager.start();
    await kit.release({ GREETING_WORD: 'ahoy' });
    rdv = createRendezvous({ tls: material, logger: silentLogger, claimTimeoutMs: opts.claimTimeoutMs });
    await rdv.listen(0, '127.0.0.1');
  };
  afterEach(async () => {
    await rdv?.close();
    await kit?.close();
  });

  /** Starts an attached one-off dyno and returns its attach_url. */
  const run = async (command: string, opts: { tty?: boolean } = {}) => {
    let session: OneOffSession | undefined;
    const d = await manager.runOneOff(kit.app, { command, attach: true, tty: opts.tty, onSession: (s) => (session = s) });
    assert.ok(session, 'the session is handed over at once');
    return { name: d.name, url: new URL(rdv.open(session)) };
  };

  /** A raw rendezvous client: sends the secret line and `input` chunks, collects everything until close. */
  const connect = (url: URL, input: string[] = [], opts: { destroyAfter?: (text: string) => boolean } = {}) =>
    new Promise<string>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', servername: url.hostname, port: Number(url.port), ca: material.cert }, () => {
        c.write(url.pathname.slice(1) + '\r\n');
      });
      let text = '';
      let greeted = false;
      c.setEncoding('utf8');
      c.on('data', (d: string) => {
        text += d;
        if (!greeted) {
          greeted = true;
          for (const chunk of input) c.write(chunk);
        }
        if (opts.destroyAfter?.(text)) c.destroy();
      });
      c.on('error', reject);
      c.on('close', () => resolve(text));
    });

  const gone = (name: string) => async () => (await kit.store.dynos.get(kit.app.id, name)) === undefined;

  it('relays output after the greeting alone, then the exit status; output also reaches the app log', async () => {
    await setup();
    const { name, url } = await run('echo "$GREETING_WORD from $DYNO"; echo oops >&2; exit 3');
    const text = await connect(url);
    assert.ok(text.startsWith(GREETING), JSON.stringify(text));
    const body = takeExitMarker(text.slice(GREETING.length));
    assert.equal(body.status, 3);
    assert.match(body.text, new RegExp(`ahoy from ${name.replace('.', '\\.')}\\n`));
    assert.match(body.text, /oops\n/);
    await kit.waitFor('the dyno record to go', gone(name));
    assert.ok(kit.lines.some((l) => l.source === 'app' && l.dyno === name && l.message === `ahoy from ${name}`));
    assert.ok(kit.heroku(name).some((m) => m.startsWith('Starting process with command')));
    assert.ok(kit.heroku(name).includes('State changed from up to complete'));
    assert.equal(rdv.pending(), 0);
  });

  it('forwards input; \\x04 closes the dyno\'s stdin when there is no pty', async () => {
    await setup();
    const { url } = await run('cat; echo "cat is done"');
    const text = await connect(url, ['first line\n', 'second\n\x04ignored']);
    const body = takeExitMarker(text.slice(GREETING.length));
    assert.equal(body.status, 0);
    assert.equal(body.text, 'first line\nsecond\ncat is done\n');
  });

  it('runs on a pseudo-terminal when asked (tty)', async () => {
    await setup();
    const { url } = await run('if [ -t 0 ] && [ -t 1 ]; then echo on a tty; else echo no tty; fi; read x; echo "read $x"; exit 4', { tty: true });
    const text = await connect(url, ['typed\r']);
    const body = takeExitMarker(text.slice(GREETING.length));
    assert.equal(body.status, 4, JSON.stringify(text));
    assert.match(body.text, /on a tty\r\n/);
    assert.match(body.text, /read typed\r\n/);
  });

  it('an unknown secret, or one used twice, gets its connection closed without a greeting', async () => {
    await setup();
    const bogus = new URL(`rendezvous://localhost:${new URL(rdv.open({
      appId: kit.app.id, dynoName: 'run.0', tty: false, io: Promise.resolve(undefined), exit: new Promise(() => {}), stop: () => {},
    })).port}/not-a-secret`);
    assert.equal(await connect(bogus), '');
    const { url } = await run('echo once');
    assert.match(await connect(url), /once/);
    assert.equal(await connect(url), '');
  });

  it('a client that goes away stops its dyno; a dyno nobody attaches to is stopped after the claim timeout', async () => {
    await setup({ claimTimeoutMs: 1500 });
    const left = await run('echo started; sleep 600');
    await connect(left.url, [], { destroyAfter: (t) => t.includes('started') });
    await kit.waitFor('the abandoned dyno to stop', gone(left.name));
    assert.ok(kit.heroku(left.name).includes('Stopping all processes with SIGTERM'));

    const never = await run('sleep 600');
    await kit.waitFor('the unclaimed dyno to stop', gone(never.name));
    assert.equal(rdv.pending(), 0);
    assert.equal(await connect(never.url), '', 'its secret has expired');
  });
});
