import type { Account } from '@slipway/contract';
import { apiHost } from '../env.js';
import { writeNetrcEntry, netrcPath } from '../auth/netrc.js';
import { defineCommand } from '../framework/command.js';
import { CliError } from '../framework/errors.js';

export default defineCommand({
  summary: 'log in with your email and API token (saved to ~/.netrc)',
  usage: 'login [--email EMAIL] [--token TOKEN]',
  description: 'Verifies the token with GET /account, then writes `machine <api host:port> login EMAIL password TOKEN`\nto ~/.netrc (mode 0600), as Heroku\'s CLI does. SLIPWAY_API_KEY, when set, still wins.',
  examples: [
    '$ slipway login\nEmail: admin@example.com\nToken: \nLogged in as admin@example.com',
    '$ slipway login --token 3f6c…e1a9\nLogged in as admin@example.com',
  ],
  flags: {
    email: { type: 'string', char: 'e', description: 'email (default: asked, or taken from the account)' },
    token: { type: 'string', char: 't', description: 'API token (default: asked)' },
  },
  async run(ctx) {
    let email = ctx.str('email');
    let token = ctx.str('token');
    if (!token) {
      if (!email) email = await ctx.prompt('Email: ');
      token = await ctx.prompt('Token: ', { hidden: true });
    }
    if (!token) throw new CliError('No token given.');
    const account = await ctx.apiWithToken(token).get<Account>('/account');
    if (email && account.email && email.toLowerCase() !== account.email.toLowerCase()) {
      throw new CliError(`That token belongs to ${account.email}, not ${email}.`);
    }
    await writeNetrcEntry(ctx.env.home, apiHost(ctx.env), { login: account.email || email || 'slipway', password: token });
    if (ctx.env.apiKey) ctx.warn(`Warning: SLIPWAY_API_KEY is set and overrides the token saved in ${netrcPath(ctx.env.home)}.`);
    ctx.out(`Logged in as ${account.email}`);
  },
});
