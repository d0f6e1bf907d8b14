/**
 * The git remote the official heroku CLI writes is `https://localhost:<apiPort>/<app>.git`
 * (heroku-contract.md A23): HTTPS on the API port. This proves, with the real platform, the real
 * CLI and the real `git`, that such a remote works: git trusts the platform's self-signed
 * certificate (repo-local `http.sslCAInfo`), authenticates through the credential helper the CLI
 * installs in the global git config (`!heroku git:credentials`), and pushes a Procfile-only app
 * that becomes a release. Plain `http://` git and the API keep working on the same port.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';

let platform: RunningPlatform;
let cli: HerokuCli;
let work: string;
let certPath: string;
let certPem: string;

before(async () => {
  platform = await startPlatform();
  cli = await herokuCli(platform);
  work = await mkdtemp(path.join(os.tmpdir(), 'slipway-https-git-'));
  certPath = path.join(platform.dataDir, 'tls', 'cert.pem');
  certPem = await readFile(certPath, 'utf8');
});
after(async () => {
  await cli?.close();
  await platform?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

interface Run { code: number; stdout: string; stderr: string; all: string }

/** Runs git with the heroku CLI's environment (its HOME holds the global git config the CLI edits). */
function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd,
      env: {
        ...cli.env,
        PATH: `${cli.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '',
        GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, all: `${stdout}\n${stderr}` });
    });
  });
}

async function heroku(cwd: string, ...args: string[]): Promise<Run> {
  const r = await cli.run(args, { cwd });
  const all = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `heroku ${args.join(' ')} exited ${r.code}:\n${all}`);
  return { ...r, all };
}

/** A git repository holding a tiny Procfile-only app, committed on main. */
async function repo(name: string): Promise<string> {
  const dir = path.join(work, name);
  const init = await git(work, ['init', '--quiet', '--initial-branch=main', dir]);
  assert.equal(init.code, 0, init.all);
  await writeFile(path.join(dir, 'Procfile'), 'web: node web.js\n');
  await writeFile(path.join(dir, 'web.js'), "require('node:http').createServer((q, s) => s.end('hello over https git\\n')).listen(Number(process.env.PORT));\n");
  for (const args of [['add', '-A'], ['commit', '--quiet', '-m', 'tiny Procfile app']]) {
    const r = await git(dir, args);
    assert.equal(r.code, 0, r.all);
  }
  return dir;
}

function httpsGet(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: 'localhost', port: platform.apiPort, path: p, ca: certPem,
      headers: { Authorization: `Bearer ${platform.token}`, Accept: 'application/vnd.heroku+json; version=3' },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('startup output says HTTPS is on the API port and how to trust the certificate for git', async () => {
  const origin = `https://localhost:${platform.apiPort}`;
  assert.ok(platform.output().includes(`git config --global http.${origin}/.sslCAInfo ${certPath}`), platform.output());
  const account = await httpsGet('/account');
  assert.equal(account.status, 200);
  assert.equal(JSON.parse(account.body).email, 'admin@example.com');
});

test('heroku create writes an https remote; git authenticates through heroku git:credentials and the push deploys', async () => {
  const dir = await repo('created');
  const created = await heroku(dir, 'create', 'https-git');
  const remoteUrl = `https://localhost:${platform.apiPort}/https-git.git`;
  assert.ok(created.stdout.includes(remoteUrl), created.all);
  assert.equal((await git(dir, ['remote', 'get-url', 'heroku'])).stdout.trim(), remoteUrl);
  const helper = await git(dir, ['config', '--global', '--get', `credential.https://localhost:${platform.apiPort}.helper`]);
  assert.equal(helper.stdout.trim(), '!heroku git:credentials', 'the CLI installed its credential helper in the global git config');

  // TLS is really verified: without trusting the certificate git refuses the remote.
  const untrusted = await git(dir, ['ls-remote', 'heroku']);
  assert.notEqual(untrusted.code, 0);
  assert.match(untrusted.stderr, /certificate|SSL|TLS/i);

  assert.equal((await git(dir, ['config', 'http.sslCAInfo', certPath])).code, 0);
  const listed = await git(dir, ['ls-remote', 'heroku']);
  assert.equal(listed.code, 0, listed.all);
  assert.equal(listed.stdout.trim(), '', 'a new app has an empty repo');

  // Authentication really went through the helper: with a HOME whose git config lacks it, git has no password.
  const bareHome = path.join(work, 'bare-home');
  await rm(bareHome, { recursive: true, force: true });
  await git(work, ['init', '--quiet', bareHome]);
  const noHelper = await git(dir, ['ls-remote', 'heroku'], { HOME: bareHome });
  assert.notEqual(noHelper.code, 0);
  assert.match(noHelper.stderr, /could not read Username|Authentication failed|terminal prompts disabled/i);

  const pushed = await git(dir, ['push', 'heroku', 'main']);
  assert.equal(pushed.code, 0, pushed.all);
  assert.match(pushed.stderr, /remote: -----> Procfile app detected/);
  assert.match(pushed.stderr, /Released v2/);
  assert.match(pushed.stderr, /\* \[new branch\]\s+main -> main/);
  const sha = (await git(dir, ['rev-parse', 'HEAD'])).stdout.trim();

  const releases = await heroku(dir, 'releases');
  assert.match(releases.stdout, new RegExp(`v2\\s+Deploy ${sha.slice(0, 7)}`));
});

test('heroku git:remote -a writes the same https remote in another repo, and it sees the pushed main', async () => {
  const dir = await repo('attached');
  const r = await heroku(dir, 'git:remote', '-a', 'https-git');
  assert.match(r.all, /set git remote heroku to https:\/\/localhost:\d+\/https-git\.git/);
  await git(dir, ['config', 'http.sslCAInfo', certPath]);
  const listed = await git(dir, ['ls-remote', 'heroku', 'refs/heads/main']);
  assert.equal(listed.code, 0, listed.all);
  assert.match(listed.stdout, /^[0-9a-f]{40}\trefs\/heads\/main$/m);
  // The app is also found from that remote (heroku's app detection matches https://<host:port>/<app>.git).
  const info = await heroku(dir, 'apps:info');
  assert.match(info.stdout, /=== https-git/);
});

test('plain http:// git and the plain API still work on the same port', async () => {
  const dir = path.join(work, 'created');
  const sha = (await git(dir, ['rev-parse', 'HEAD'])).stdout.trim();
  const plainUrl = `http://heroku:${encodeURIComponent(platform.token)}@localhost:${platform.apiPort}/https-git.git`;
  const listed = await git(dir, ['ls-remote', plainUrl, 'refs/heads/main']);
  assert.equal(listed.code, 0, listed.all);
  assert.equal(listed.stdout.trim(), `${sha}\trefs/heads/main`);
  const res = await fetch(`${platform.url}/apps/https-git`, { headers: { Authorization: `Bearer ${platform.token}`, Accept: 'application/vnd.heroku+json; version=3' } });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { name: string }).name, 'https-git');
  const overTls = await httpsGet('/apps/https-git/releases');
  assert.equal(overTls.status, 200);
  assert.equal((JSON.parse(overTls.body) as { version: number }[]).length, 2);
});
