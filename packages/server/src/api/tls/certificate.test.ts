import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type Logger } from '../../log/index.js';
import { certificateProblem, ensureCertificate, gitTrustCommand, wantedSans } from './index.js';

let root: string;
before(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'slipway-tls-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }), lines };
}

test('wantedSans: localhost, 127.0.0.1 and *.<domain>; a domain that is not a hostname adds nothing', () => {
  assert.deepEqual(wantedSans('localhost'), ['DNS:localhost', 'IP:127.0.0.1', 'DNS:*.localhost']);
  assert.deepEqual(wantedSans('Apps.Example.com'), ['DNS:localhost', 'IP:127.0.0.1', 'DNS:apps.example.com', 'DNS:*.apps.example.com']);
  assert.deepEqual(wantedSans('bad domain\nsubjectAltName = DNS:evil'), ['DNS:localhost', 'IP:127.0.0.1']);
});

test('first start generates a key (0600) and a certificate for localhost, 127.0.0.1 and *.<domain>; later starts reuse it', async () => {
  const dataDir = path.join(root, 'first');
  const { logger, lines } = recordingLogger();
  const made = await ensureCertificate({ dataDir, domain: 'localhost', logger });
  assert.ok(made, lines.join('\n'));
  assert.equal(made.keyPath, path.join(dataDir, 'tls', 'key.pem'));
  assert.equal(made.certPath, path.join(dataDir, 'tls', 'cert.pem'));
  assert.equal((await stat(made.keyPath)).mode & 0o777, 0o600);
  const cert = new X509Certificate(made.cert);
  assert.equal(cert.checkHost('localhost'), 'localhost');
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.match(cert.subjectAltName ?? '', /DNS:\*\.localhost/);
  assert.ok(new Date(cert.validTo).getTime() > Date.now() + 365 * 24 * 3600 * 1000);
  assert.deepEqual(await readdir(path.join(dataDir, 'tls')), ['cert.pem', 'key.pem'], 'no work files left behind');
  assert.ok(lines.some((l) => l.includes('at=tls.certificate_created')));

  const again = await ensureCertificate({ dataDir, domain: 'localhost', logger });
  assert.equal(again?.cert, made.cert);
  assert.equal(again?.key, made.key);
});

test('a certificate is replaced when the domain changes or it is about to expire', async () => {
  const dataDir = path.join(root, 'renew');
  const { logger, lines } = recordingLogger();
  const first = await ensureCertificate({ dataDir, domain: 'localhost', logger });
  assert.ok(first);
  const moved = await ensureCertificate({ dataDir, domain: 'apps.example.com', logger });
  assert.ok(moved);
  assert.notEqual(moved.cert, first.cert);
  assert.equal(new X509Certificate(moved.cert).checkHost('web.apps.example.com'), '*.apps.example.com');
  assert.ok(lines.some((l) => l.includes('at=tls.certificate_renewed') && l.includes('DNS:*.apps.example.com')));

  const later = new Date(Date.now() + 824 * 24 * 3600 * 1000);
  assert.match(certificateProblem(moved.key, moved.cert, 'apps.example.com', later) ?? '', /expires/);
  const renewed = await ensureCertificate({ dataDir, domain: 'apps.example.com', logger, now: () => later });
  assert.ok(renewed);
  assert.notEqual(renewed.cert, moved.cert);
});

test('certificateProblem: a key that does not match, or garbage, is a problem', async () => {
  const a = await ensureCertificate({ dataDir: path.join(root, 'a'), domain: 'localhost', logger: recordingLogger().logger });
  const b = await ensureCertificate({ dataDir: path.join(root, 'b'), domain: 'localhost', logger: recordingLogger().logger });
  assert.ok(a && b);
  assert.equal(certificateProblem(a.key, a.cert, 'localhost', new Date()), undefined);
  assert.match(certificateProblem(b.key, a.cert, 'localhost', new Date()) ?? '', /does not match/);
  assert.match(certificateProblem('nope', 'nope', 'localhost', new Date()) ?? '', /unreadable/);
});

test('without openssl: one warning line, no certificate (plain HTTP only)', async () => {
  const dataDir = path.join(root, 'no-openssl');
  const { logger, lines } = recordingLogger();
  const none = await ensureCertificate({ dataDir, domain: 'localhost', logger, openssl: path.join(root, 'no-such-openssl') });
  assert.equal(none, undefined);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /level=warn at=tls.unavailable reason="[^"]*no-such-openssl not found"/);
  assert.deepEqual(await readdir(path.join(dataDir, 'tls')), []);
});

test('gitTrustCommand names the origin with a trailing slash', () => {
  assert.equal(gitTrustCommand('https://localhost:5000', '/d/tls/cert.pem'), 'git config --global http.https://localhost:5000/.sslCAInfo /d/tls/cert.pem');
});
