/**
 * Helpers for the deploy e2e tests: the real `git` client pushing fixture apps, API calls, and
 * running a release's command from its unpacked slug.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { cp, mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const serverRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../..') : path.resolve(here, '../..');
export const FIXTURES = path.join(serverRoot, 'test', 'fixtures', 'apps');

export interface Run {
  code: number;
  output: string;
}

export function run(file: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** A git working copy of a fixture app, committed, ready to push. */
export interface Checkout {
  dir: string;
  git(args: string[], token?: string): Promise<Run>;
  /** Commits whatever changed; returns the new sha. */
  commit(message: string): Promise<string>;
  sha(): Promise<string>;
  close(): Promise<void>;
}

export async function checkout(fixture: string): Promise<Checkout> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-push-'));
  const dir = path.join(root, 'app');
  await cp(path.join(FIXTURES, fixture), dir, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  const git = (args: string[]) => run('git', args, { cwd: dir, env });
  await git(['init', '--quiet', '--initial-branch=main']);
  const co: Checkout = {
    dir,
    git,
    async commit(message) {
      await git(['add', '-A']);
      const r = await git(['commit', '--quiet', '--allow-empty', '-m', message]);
      if (r.code !== 0) throw new Error(r.output);
      return co.sha();
    },
    async sha() {
      return (await git(['rev-parse', 'HEAD'])).output.trim();
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
  await co.commit(`${fixture}: initial commit`);
  return co;
}

export function remoteUrl(apiPort: number, app: string, token: string): string {
  return `http://heroku:${encodeURIComponent(token)}@localhost:${apiPort}/${app}.git`;
}

export async function api<T = unknown>(base: string, token: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.heroku+json; version=3', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed as T };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 300_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Unpacks a slug tar.gz (Heroku layout: `./app/…`); returns the dir that plays `/app`. */
export async function unpackSlug(slug: Buffer): Promise<{ appDir: string; close(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-slug-'));
  await writeFile(path.join(root, 'slug.tgz'), slug);
  const r = await run('tar', ['-xzf', path.join(root, 'slug.tgz'), '-C', root]);
  if (r.code !== 0) throw new Error(r.output);
  return { appDir: path.join(root, 'app'), close: () => rm(root, { recursive: true, force: true }) };
}

/** Runs a process type's command from the unpacked slug on a free port, until stopped. */
export function startProcess(appDir: string, command: string, port: number): { child: ChildProcess; output(): string; stop(): Promise<void> } {
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: appDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: appDir, PORT: String(port) },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('close', r));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await gone;
    },
  };
}

export async function httpText(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url);
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/** A temp dir the sandbox user (nobody) can read. */
export async function worldReadableDir(): Promise<{ dir: string; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-shared-'));
  await chmod(dir, 0o755);
  return { dir, close: () => rm(dir, { recursive: true, force: true }) };
}

/** An app's page through the router (`Host: <app>.localhost`), or undefined while it does not answer 200. */
export function routedPage(routerPort: number, app: string, p = '/'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: routerPort, path: p, headers: { Host: `${app}.localhost:${routerPort}` }, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(res.statusCode === 200 ? text : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
