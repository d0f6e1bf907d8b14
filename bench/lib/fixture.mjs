// A git working copy of a fixture app (packages/server/test/fixtures/apps/<name>) in a temp dir,
// pushed with the real git client over the platform's smart HTTP endpoint.
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './proc.mjs';

export async function fixtureCheckout(scope, { repoRoot, fixture }) {
  const root = await scope.tmpdir(`push-${fixture}`);
  const dir = path.join(root, 'app');
  await cp(path.join(repoRoot, 'packages/server/test/fixtures/apps', fixture), dir, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com',
  };
  const git = async (args) => {
    const r = await run('git', args, { cwd: dir, env, timeoutMs: 900_000 });
    return r;
  };
  await git(['init', '--quiet', '--initial-branch=main']);
  const co = {
    dir,
    async commit(message) {
      await git(['add', '-A']);
      const r = await git(['commit', '--quiet', '--allow-empty', '-m', message]);
      if (r.code !== 0) throw new Error(r.output);
    },
    write: (file, text) => writeFile(path.join(dir, file), text),
    /** git push → the platform; resolves { code, output, ms } once the push (build + release) ends. */
    push(platform, app) {
      return git(['push', `http://heroku:${encodeURIComponent(platform.token)}@127.0.0.1:${platform.apiPort}/${app}.git`, 'HEAD:main']);
    },
  };
  await co.commit(`${fixture}: initial commit`);
  return co;
}
