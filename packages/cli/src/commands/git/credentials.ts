import { defineCommand } from '../../framework/command.js';
import { apiHost } from '../../env.js';
import { readNetrcEntry } from '../../auth/netrc.js';
import { parseCredentialInput } from '../../git/credentials.js';

/** Reads git's request: `key=value` lines up to a blank line or EOF. */
async function readRequest(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (/(^|\n)\r?\n$/.test(text)) break;
  }
  return text;
}

export default defineCommand({
  summary: 'git credential helper: answers git with username slipway and your API token',
  usage: 'git:credentials get|store|erase',
  description: 'Run by git, not by people: `slipway git:remote` configures it. For `get` on the API\'s host it prints\n`username=slipway` and `password=<token>`; store and erase do nothing.',
  examples: ['$ printf \'protocol=http\\nhost=localhost:5000\\n\\n\' | slipway git:credentials get\nusername=slipway\npassword=3f6c0d2a9b…'],
  flags: {},
  async run(ctx) {
    const op = ctx.args[0];
    const request = parseCredentialInput(await readRequest(ctx.io.stdin));
    if (op !== 'get') return;
    const host = request.host ?? apiHost(ctx.env);
    let token: string | undefined;
    if (host === apiHost(ctx.env)) token = await ctx.token();
    else token = (await readNetrcEntry(ctx.env.home, host))?.password;
    if (!token) return;
    ctx.io.stdout.write(`username=slipway\npassword=${token}\n`);
  },
});
