/**
 * A build's source fetched from a remote git repository (auto-deploy): exactly one commit, fetched
 * by git inside the build sandbox (its own network namespace under runc, as source URLs are),
 * never by the platform process. In the workspace's tmp dir, as the sandbox user:
 * `git init --bare`, `git fetch --depth 1 <url> <sha>` (a server that refuses unadvertised commits
 * gets a fetch of the branch instead, then the commit must be in it), `git archive` to a tarball
 * the pipeline extracts. The commit's subject becomes the slug's commit description.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { BuildFailedError } from './buildpack-runner.js';
import { execOk } from './exec.js';
import type { SourceContext } from './pipeline.js';
import type { BuildSandbox } from './sandbox.js';
import type { OpenedSource } from './source.js';
import { createWorkspace, removeWorkspace } from './workspace.js';

export interface RepoCommit {
  /** http(s):// or git:// URL of the repository (may carry credentials: never printed). */
  url: string;
  branch: string;
  sha: string;
}

const SHA = /^[0-9a-f]{40}$/;
/** Branch names git accepts and that cannot be read as an option or a refspec. */
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,200}(?<![./])$/;

export function isValidBranch(branch: string): boolean {
  return BRANCH.test(branch) && !branch.endsWith('.lock');
}

/** The URL without its user and password, for output and logs. */
export function redactRepoUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

export async function fetchRepoCommit(ctx: SourceContext, commit: RepoCommit): Promise<OpenedSource> {
  if (!SHA.test(commit.sha)) throw new BuildFailedError('Bad commit id.');
  if (!isValidBranch(commit.branch)) throw new BuildFailedError('Bad branch name.');
  const { sandbox, ws } = ctx;
  if (sandbox.owner) await execOk('chown', ['-h', `${sandbox.owner.uid}:${sandbox.owner.gid}`, ws.tmpDir]);
  const gitDir = path.join(ws.tmpDir, 'source.git');
  const tarball = path.join(ws.tmpDir, 'source.tar');
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: ws.tmpDir, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };
  const git = async (args: string[]): Promise<{ ok: boolean; output: string }> => {
    let output = '';
    const r = await sandbox.run({
      file: 'git', args, cwd: ws.tmpDir, env, timeoutMs: Math.max(ctx.deadline - Date.now(), 1), signal: ctx.signal,
      onOutput: (c) => {
        if (output.length < 4000) output += c.toString('utf8');
      },
    });
    return { ok: r.code === 0, output: output.trim() };
  };
  const shown = redactRepoUrl(commit.url);
  ctx.out(`-----> Fetching ${commit.branch} at ${commit.sha} from ${shown}\n`);
  const fail = (what: string, output: string) => new BuildFailedError(`${what}: ${output.replaceAll(commit.url, shown).split('\n').slice(-3).join('\n') || 'git failed'}`);
  const init = await git(['init', '--quiet', '--bare', gitDir]);
  if (!init.ok) throw fail('Could not prepare the source repository', init.output);
  const byCommit = await git(['--git-dir', gitDir, 'fetch', '--quiet', '--no-tags', '--depth', '1', '--', commit.url, commit.sha]);
  if (!byCommit.ok) {
    const byBranch = await git(['--git-dir', gitDir, 'fetch', '--quiet', '--no-tags', '--', commit.url, `+refs/heads/${commit.branch}:refs/heads/${commit.branch}`]);
    if (!byBranch.ok) throw fail(`Could not fetch ${commit.sha} from ${shown}`, byBranch.output || byCommit.output);
    const has = await git(['--git-dir', gitDir, 'cat-file', '-e', `${commit.sha}^{commit}`]);
    if (!has.ok) throw new BuildFailedError(`Commit ${commit.sha} is not on ${commit.branch} of ${shown}.`);
  }
  const subject = await git(['--git-dir', gitDir, 'log', '-1', '--format=%s', commit.sha]);
  const archive = await git(['--git-dir', gitDir, 'archive', '--format=tar', '-o', tarball, commit.sha]);
  if (!archive.ok) throw fail(`Could not read ${commit.sha}`, archive.output);
  await rm(gitDir, { recursive: true, force: true });
  const stream = createReadStream(tarball);
  const done = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', (err) => reject(new BuildFailedError(`Could not read the fetched source: ${err.message}`)));
  });
  stream.once('close', () => void rm(tarball, { force: true }).catch(() => undefined));
  done.catch(() => undefined);
  return { stream, done, description: subject.ok && subject.output !== '' ? subject.output.split('\n')[0]! : null };
}

/**
 * The commit at the tip of `branch` of a remote repository (`git ls-remote`, run in the sandbox and
 * its network like a fetch), or undefined when the branch does not exist. Throws BuildFailedError
 * when the repository cannot be reached.
 */
export async function remoteBranchTip(sandbox: BuildSandbox, url: string, branch: string, timeoutMs: number): Promise<string | undefined> {
  if (!isValidBranch(branch)) return undefined;
  const ws = await createWorkspace();
  try {
    if (sandbox.owner) await execOk('chown', ['-h', `${sandbox.owner.uid}:${sandbox.owner.gid}`, ws.tmpDir]);
    let output = '';
    const r = await sandbox.run({
      file: 'git', args: ['ls-remote', '--heads', '--', url, `refs/heads/${branch}`], cwd: ws.tmpDir, timeoutMs,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: ws.tmpDir, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
      onOutput: (c) => {
        if (output.length < 64 * 1024) output += c.toString('utf8');
      },
    });
    if (r.code !== 0) throw new BuildFailedError(`Could not read ${redactRepoUrl(url)}: ${output.replaceAll(url, redactRepoUrl(url)).trim().split('\n').at(-1) ?? `exit ${r.code}`}`);
    for (const line of output.split('\n')) {
      const m = /^([0-9a-f]{40})\trefs\/heads\/(.+)$/.exec(line.trim());
      if (m && m[2] === branch) return m[1];
    }
    return undefined;
  } finally {
    await removeWorkspace(ws).catch(() => undefined);
  }
}
