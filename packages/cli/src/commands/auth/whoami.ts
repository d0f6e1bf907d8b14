import type { Account } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { ApiError, CliError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'display the email of the logged-in user',
  usage: 'auth:whoami',
  aliases: ['whoami'],
  examples: ['$ slipway auth:whoami\nadmin@example.com'],
  flags: { json: { type: 'boolean', description: 'display the account as JSON' } },
  async run(ctx) {
    if (!(await ctx.token())) throw new CliError('not logged in', 100);
    let account: Account;
    try {
      account = await ctx.api.get<Account>('/account');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw new CliError('not logged in', 100);
      throw err;
    }
    if (ctx.bool('json')) return ctx.json(account);
    ctx.out(account.email);
  },
});
