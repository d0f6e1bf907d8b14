/** `slipway help` and `slipway help <command>` text, generated from the registry. Pure. */
import type { Command } from './command.js';
import { allFlags } from './parse.js';

export function commandHelp(id: string, c: Command): string[] {
  const lines = [c.summary, '', 'USAGE', `  $ slipway ${c.usage}`, ''];
  const flags = Object.entries(allFlags(c));
  if (flags.length > 0) {
    lines.push('FLAGS');
    const left = flags.map(([name, f]) => `${f.char ? `-${f.char}, ` : '    '}--${name}${f.type === 'boolean' ? '' : f.type === 'integer' ? '=<n>' : '=<value>'}`);
    const width = Math.max(...left.map((l) => l.length));
    flags.forEach(([, f], i) => lines.push(`  ${left[i].padEnd(width)}  ${f.description}${f.multiple ? ' (repeatable)' : ''}`));
    lines.push('');
  }
  if (c.description) lines.push('DESCRIPTION', ...c.description.split('\n').map((l) => `  ${l}`.trimEnd()), '');
  if (c.aliases?.length) lines.push('ALIASES', ...c.aliases.map((a) => `  $ slipway ${a}`), '');
  if (c.examples.length > 0) {
    lines.push('EXAMPLES');
    for (const ex of c.examples) lines.push(...ex.split('\n').map((l) => `  ${l}`.trimEnd()), '');
  }
  while (lines[lines.length - 1] === '') lines.pop();
  void id;
  return lines;
}

export function indexHelp(commands: ReadonlyMap<string, Command>): string[] {
  const ids = [...commands.keys()].sort();
  const width = Math.max(...ids.map((id) => id.length));
  return [
    'slipway: the command-line client of Slipway, a self-hosted Heroku',
    '',
    'USAGE',
    '  $ slipway COMMAND [ARGS] [FLAGS]',
    '  $ slipway help COMMAND',
    '',
    'ENVIRONMENT',
    '  SLIPWAY_API_URL  the Platform API (default http://localhost:5000)',
    '  SLIPWAY_API_KEY  the API token (else ~/.netrc, written by `slipway login`)',
    '  SLIPWAY_APP      the app when -a is not given (else the git remote)',
    '',
    'COMMANDS',
    ...ids.map((id) => `  ${id.padEnd(width)}  ${commands.get(id)!.summary}`),
  ];
}
