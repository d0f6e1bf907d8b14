/**
 * Runs the official `heroku` CLI (node_modules/.bin/heroku) against a running platform, with the
 * telemetry and update switches of heroku-contract.md A1 and a throwaway HOME.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HerokuCli {
  /**
   * `hosts`: names resolved to 127.0.0.1 for this run only (Heroku's metrics and data hosts, which
   * the CLI reaches by name with HEROKU_HOST's port): the CLI runs in a private mount namespace
   * whose /etc/hosts has them, as the README's hosts-file line would, without touching the host's.
   */
  run(args: string[], opts?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; hosts?: string[] }): Promise<CliResult>;
  home: string;
  /** The environment every run gets (HEROKU_HOST, HEROKU_API_KEY, HOME…): give it to `git` so the
   * credential helper the CLI installs (`!heroku git:credentials`) works. */
  env: Record<string, string>;
  /** The directory holding the `heroku` executable (put it on git's PATH for that helper). */
  binDir: string;
  close(): Promise<void>;
}

function findHerokuBin(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules', '.bin', 'heroku');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('node_modules/.bin/heroku not found');
    dir = parent;
  }
}

export async function herokuCli(platform: { url: string; token: string }): Promise<HerokuCli> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'slipway-heroku-home-'));
  const bin = findHerokuBin();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    HEROKU_HOST: platform.url,
    HEROKU_API_KEY: platform.token,
    HEROKU_PARTICLEBOARD_URL: platform.url,
    DISABLE_TELEMETRY: 'true',
    HEROKU_SKIP_ANALYTICS: '1',
    IS_HEROKU_TEST_ENV: 'true',
    HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
    HEROKU_DISABLE_AUTOUPDATE: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    COLUMNS: '200',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
  };
  return {
    home,
    env,
    binDir: path.dirname(bin),
    async run(args, opts = {}) {
      let file = bin;
      let argv = args;
      if (opts.hosts?.length) {
        const hostsFile = path.join(home, 'hosts');
        const current = await readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1 localhost\n');
        await writeFile(hostsFile, `${current.trimEnd()}\n127.0.0.1 ${opts.hosts.join(' ')}\n`);
        file = 'unshare';
        argv = ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hostsFile, bin, ...args];
      }
      return new Promise((resolve) => {
        execFile(file, argv, { cwd: opts.cwd ?? home, env: { ...env, ...opts.env }, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
      });
    },
    close: () => rm(home, { recursive: true, force: true }),
  };
}
