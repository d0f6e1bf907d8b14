/**
 * The API port's self-signed certificate: `<dataDir>/tls/{key,cert}.pem`, made at first start with
 * the system's `openssl` (spawned with an argument array; nothing is installed at runtime). The
 * official heroku CLI always writes `https://<api host:port>/<app>.git` remotes (heroku-contract.md
 * A23), so the API port must also speak TLS; git is then told to trust this certificate.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log/index.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  keyPath: string;
  certPath: string;
}

export interface CertificateOptions {
  dataDir: string;
  /** Apps live at `<app>.<domain>`: the certificate also covers `*.<domain>`. */
  domain: string;
  logger: Logger;
  /** The openssl executable (default `openssl` on PATH). */
  openssl?: string;
  now?: () => Date;
  /** Days the certificate is valid (825: the longest most clients accept). */
  days?: number;
}

/** A certificate is renewed this long before it expires. */
export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Pure: the subjectAltName entries the certificate must carry for this domain. */
export function wantedSans(domain: string): string[] {
  const sans = ['DNS:localhost', 'IP:127.0.0.1'];
  if (HOSTNAME.test(domain)) {
    if (domain.toLowerCase() !== 'localhost') sans.push(`DNS:${domain.toLowerCase()}`);
    sans.push(`DNS:*.${domain.toLowerCase()}`);
  }
  return sans;
}

/**
 * Pure: why an existing key/cert pair cannot be used (undefined = it can): unreadable, key and
 * certificate do not match, a SAN missing (the domain changed), or it expires within 30 days.
 */
export function certificateProblem(keyPem: string, certPem: string, domain: string, now: Date): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return 'the key does not match the certificate';
  } catch (err) {
    return `unreadable (${(err as Error).message})`;
  }
  const present = new Set((cert.subjectAltName ?? '').split(/,\s*/).map((s) => s.replace(/^IP Address:/, 'IP:').toLowerCase()));
  const missing = wantedSans(domain).filter((san) => !present.has(san.toLowerCase()));
  if (missing.length > 0) return `it does not cover ${missing.join(', ')}`;
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return `it expires on ${new Date(cert.validTo).toISOString()}`;
  return undefined;
}

/** Pure: the openssl config for a self-signed server certificate with these SANs. */
export function opensslConfig(sans: string[]): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'x509_extensions = ext',
    'prompt = no',
    '[dn]',
    'CN = Slipway (self-signed)',
    '[ext]',
    `subjectAltName = ${sans.join(',')}`,
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign',
    'extendedKeyUsage = serverAuth',
    'subjectKeyIdentifier = hash',
    '',
  ].join('\n');
}

function execOpenssl(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (err, _stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr: String(stderr).trim() }));
      else resolve();
    });
  });
}

async function readPair(keyPath: string, certPath: string): Promise<{ key: string; cert: string } | undefined> {
  try {
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } catch {
    return undefined;
  }
}

/**
 * Returns the key and certificate, generating them when missing or unusable. Returns undefined
 * (after one log line) when openssl is missing or fails: the API then serves plain HTTP only.
 */
export async function ensureCertificate(opts: CertificateOptions): Promise<TlsMaterial | undefined> {
  const dir = path.join(opts.dataDir, 'tls');
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  const now = (opts.now ?? (() => new Date()))();
  const existing = await readPair(keyPath, certPath);
  if (existing) {
    const problem = certificateProblem(existing.key, existing.cert, opts.domain, now);
    if (!problem) return { ...existing, keyPath, certPath };
    opts.logger.warn('tls.certificate_renewed', { cert: certPath, reason: problem });
  }

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const work = path.join(dir, `.new-${randomBytes(6).toString('hex')}`);
  await mkdir(work, { mode: 0o700 });
  try {
    const sans = wantedSans(opts.domain);
    await writeFile(path.join(work, 'openssl.cnf'), opensslConfig(sans));
    await execOpenssl(opts.openssl ?? 'openssl', [
      'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-sha256',
      '-days', String(opts.days ?? 825), '-config', path.join(work, 'openssl.cnf'),
      '-keyout', path.join(work, 'key.pem'), '-out', path.join(work, 'cert.pem'),
    ]);
    await chmod(path.join(work, 'key.pem'), 0o600);
    await chmod(path.join(work, 'cert.pem'), 0o644);
    await rename(path.join(work, 'key.pem'), keyPath);
    await rename(path.join(work, 'cert.pem'), certPath);
    const made = await readPair(keyPath, certPath);
    if (!made) throw new Error(`${certPath} vanished`);
    opts.logger.info('tls.certificate_created', { cert: certPath, sans: sans.join(',') });
    return { ...made, keyPath, certPath };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const reason = e.code === 'ENOENT' ? `${opts.openssl ?? 'openssl'} not found` : (e.stderr || e.message).split('\n')[0];
    opts.logger.warn('tls.unavailable', { reason, effect: 'the API port serves plain HTTP only; heroku CLI https:// git remotes will not work' });
    return undefined;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
