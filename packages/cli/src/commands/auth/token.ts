import { defineCommand } from '../../framework/command.js';
import { CliError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'print the API token in use (SLIPWAY_API_KEY or ~/.netrc)',
  usage: 'auth:token',
  examples: ['$ slipway auth:token\n3f6c0d2a9b…'],
  flags: {},
  async run(ctx) {
    const token = await ctx.token();
    if (!token) throw new CliError('not logged in', 100);
    ctx.out(token);
  },
});
