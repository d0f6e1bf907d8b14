import { defineCommand } from '../../framework/command.js';
import { CliError, UsageError } from '../../framework/errors.js';

interface NewUser {
  email?: string;
  token?: string;
  api_key?: string;
  access_token?: { token?: string };
}

/** The new user's token, wherever the API put it (`token`, `api_key` or `access_token.token`). */
export function newUserToken(user: NewUser): string | undefined {
  return user.token ?? user.api_key ?? user.access_token?.token;
}

export default defineCommand({
  summary: 'create a user and print their API token (admins only)',
  usage: 'users:add EMAIL [--admin] [--password]',
  description: 'The token is shown once. The new user logs in with `slipway login --token TOKEN`, or to the dashboard with the password given with --password (asked for; read from stdin when it is not a terminal).',
  examples: [
    '$ slipway users:add dev@example.com\nCreating user dev@example.com... done\n7c3e0b9d2f4a…',
    '$ slipway users:add dev@example.com --password\nPassword: \nCreating user dev@example.com... done\n7c3e0b9d2f4a…',
  ],
  flags: {
    admin: { type: 'boolean', description: 'the new user may create users too' },
    password: { type: 'boolean', description: 'ask for a dashboard sign-in password (at least 8 characters)' },
    json: { type: 'boolean', description: 'output the new user (with the token) in JSON format' },
  },
  async run(ctx) {
    const email = ctx.args[0];
    if (!email) throw new UsageError('Missing EMAIL. Usage: slipway users:add EMAIL');
    const body: Record<string, unknown> = { email };
    if (ctx.bool('admin')) body.admin = true;
    if (ctx.bool('password')) body.password = await ctx.prompt('Password: ', { hidden: true });
    const user = await ctx.action(`Creating user ${email}`, () => ctx.api.post<NewUser>('/users', body));
    if (ctx.bool('json')) return ctx.json(user);
    const token = newUserToken(user);
    if (!token) throw new CliError('The API created the user but returned no token.');
    ctx.out(token);
  },
});
