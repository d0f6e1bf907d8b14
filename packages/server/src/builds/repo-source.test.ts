/**
 * fetchRepoCommit: a real git repository (file:// URL, readable by the sandbox user), real git run
 * by the process sandbox; the fetched tarball holds exactly the asked commit's tree. Then the same
 * over smart HTTP (test/helpers/git-forge.ts) from inside a runc build container, when runc is
 * usable (host network there: the forge listens on the host's loopback).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGitForge } from '../../test/helpers/git-forge.js';
import { isRuncUsable } from '../isolation/index.js';
import { silentLogger } from '../log/index.js';
import { BuildFailedError } from './buildpack-runner.js';
import { execOk } from './exec.js';
import { fetchRepoCommit, isValidBranch, redactRepoUrl, remoteBranchTip } from './repo-source.js';
import { buildLimits, createRuncBuildSandbox } from './runc-sandbox.js';
import { createProcessSandbox, type BuildSandbox } from './sandbox.js';
import { extractTarball } from './tarball.js';
import { createWorkspace, removeWorkspace } from './workspace.js';

const GIT_ENV = { PATH: '/usr/bin:/bin', HOME: tmpdir(), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };

const runc = await isRuncUsable();

describe('fetchRepoCommit', () => {
  let dir = '';
  let first = '';
  let second = '';
  const sandbox = createProcessSandbox({ logger: silentLogger });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slipway-repo-source-'));
    await chmod(dir, 0o755);
    const git = (...args: string[]) => execOk('git', args, { cwd: dir, env: GIT_ENV });
    await git('init', '--quiet', '--initial-branch=main');
    await writeFile(path.join(dir, 'version.txt'), 'one\n');
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'first version');
    first = (await git('rev-parse', 'HEAD')).trim();
    await writeFile(path.join(dir, 'version.txt'), 'two\n');
    await git('commit', '--quiet', '-am', 'second version');
    second = (await git('rev-parse', 'HEAD')).trim();
    // git refuses to serve a repository another user owns ("dubious ownership"): hand it to the sandbox user.
    if (sandbox.owner) await execOk('chown', ['-R', `${sandbox.owner.uid}:${sandbox.owner.gid}`, dir]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function fetchInto(sha: string, branch = 'main', url = `file://${dir}`, sb: BuildSandbox = sandbox): Promise<{ text: string; description: string | null | undefined; output: string }> {
    const ws = await createWorkspace();
    let output = '';
    try {
      const src = await fetchRepoCommit({ sandbox: sb, ws, deadline: Date.now() + 60_000, signal: new AbortController().signal, out: (t) => (output += t) }, { url, branch, sha });
      await extractTarball(src.stream, ws.appDir, { maxBytes: 10 * 1024 * 1024 });
      await src.done;
      return { text: await readFile(path.join(ws.appDir, 'version.txt'), 'utf8'), description: src.description, output };
    } finally {
      await removeWorkspace(ws);
    }
  }

  it('fetches the tip and an older commit of the branch, each exactly', async () => {
    const tip = await fetchInto(second);
    assert.equal(tip.text, 'two\n');
    assert.equal(tip.description, 'second version');
    assert.match(tip.output, new RegExp(`Fetching main at ${second}`));
    const old = await fetchInto(first);
    assert.equal(old.text, 'one\n');
    assert.equal(old.description, 'first version');
  });

  it('fails clearly for a commit the repository does not have, and refuses bad ids and branches', async () => {
    await assert.rejects(fetchInto('0123456789abcdef0123456789abcdef01234567'), (err: unknown) => err instanceof BuildFailedError && /0123456789abcdef/.test(err.message));
    await assert.rejects(fetchInto('HEAD'), /Bad commit id/);
    await assert.rejects(fetchInto(second, '--upload-pack=touch /tmp/x'), /Bad branch name/);
  });

  it('fetches over smart HTTP from inside a runc build container', { skip: runc.usable ? false : `runc is not usable here: ${runc.reason}` }, async () => {
    const forge = await startGitForge();
    const tmp = await mkdtemp(path.join(tmpdir(), 'slipway-repo-source-runc-'));
    const runcSandbox = createRuncBuildSandbox({ logger: silentLogger, runDir: path.join(tmp, 'runc'), dataDir: path.join(tmp, 'data'), limits: buildLimits(512), network: 'host' });
    try {
      const url = await forge.repo('acme/widgets.git');
      await execOk('git', ['--git-dir', path.join(dir, '.git'), 'push', '--quiet', url, 'main'], { env: GIT_ENV });
      const old = await fetchInto(first, 'main', url, runcSandbox);
      assert.equal(old.text, 'one\n');
      assert.equal(old.description, 'first version');
    } finally {
      await runcSandbox.close();
      await forge.close();
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('reads the tip of a branch, undefined for a branch that does not exist', async () => {
    assert.equal(await remoteBranchTip(sandbox, `file://${dir}`, 'main', 30_000), second);
    assert.equal(await remoteBranchTip(sandbox, `file://${dir}`, 'nope', 30_000), undefined);
    await assert.rejects(remoteBranchTip(sandbox, `file://${dir}-missing`, 'main', 30_000), BuildFailedError);
  });

  it('validates branch names and hides credentials of URLs', () => {
    for (const b of ['main', 'feature/x-1', 'v1.2']) assert.ok(isValidBranch(b), b);
    for (const b of ['-x', 'a..b', 'a//b', 'x.lock', 'a b', 'x/', '']) assert.ok(!isValidBranch(b), b);
    assert.equal(redactRepoUrl('https://user:tok@git.example/a/b.git'), 'https://git.example/a/b.git');
    assert.equal(redactRepoUrl('https://git.example/a/b.git'), 'https://git.example/a/b.git');
  });
});
