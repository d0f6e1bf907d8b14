/**
 * packages/cli/README.md, generated from the registry (the same text as `slipway help`).
 * Regenerate: node --import tsx packages/cli/scripts/gen-readme.ts
 */
import { commandHelp, indexHelp } from './framework/help.js';
import { COMMANDS } from './registry.js';

export function renderReadme(): string {
  const out = [
    '<!-- Generated from the command registry by packages/cli/scripts/gen-readme.ts; do not edit. -->',
    '# slipway CLI',
    '',
    'The command-line client of Slipway, a self-hosted Heroku. It talks to the Platform API v3',
    '(`Accept: application/vnd.heroku+json; version=3`, Bearer token) and mirrors the official heroku',
    'CLI\'s calls and output: actions (`Scaling dynos... done`) go to stderr, data to stdout; errors are',
    'one line `Error: <message>` on stderr with exit code 1 (2 for API errors and bad usage, 100 for',
    '`auth:whoami` when not logged in).',
    '',
    'Run it as `slipway …` (built: `npm run build`), or from source: `node --import tsx packages/cli/src/bin.ts …`.',
    '',
    '- **Token**: `SLIPWAY_API_KEY`, else `~/.netrc` (`machine localhost:5000 login EMAIL password TOKEN`),',
    '  written by `slipway login`.',
    '- **App**: `-a APP`, else `SLIPWAY_APP`, else the git remote in the current directory whose URL is',
    '  `http(s)://<api host:port>/<app>.git` (remotes named `slipway` or `heroku` are preferred; `-r REMOTE`',
    '  picks one).',
    '- **git push**: `slipway git:remote -a APP` (or `apps:create` in a git repo) adds the remote and a',
    '  credential helper `!slipway git:credentials` for the API host in the repo\'s `.git/config`; git then',
    '  gets username `slipway` and the current token. The token is never stored in git config.',
    '',
    '```',
    ...indexHelp(COMMANDS),
    '```',
    '',
    '## Commands',
  ];
  for (const id of [...COMMANDS.keys()].sort()) {
    out.push('', `### \`slipway ${id}\``, '', '```', ...commandHelp(id, COMMANDS.get(id)!), '```');
  }
  return `${out.join('\n')}\n`;
}
