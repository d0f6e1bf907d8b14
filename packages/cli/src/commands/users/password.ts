import { defineCommand } from '../../framework/command.js';

export default defineCommand({
  summary: 'set a dashboard sign-in password (your own, or any user\'s as an admin)',
  usage: 'users:password [EMAIL]',
  description: 'The new password is asked for (hidden on a terminal; read from stdin otherwise) and must be at least 8 characters. '
    + 'Changing your own asks for the current one first (leave it empty if you have none). Admins set anyone\'s without it.',
  examples: [
    '$ slipway users:password dev@example.com\nNew password: \nSetting password for dev@example.com... done',
    '$ slipway users:password\nCurrent password (empty if none): \nNew password: \nSetting password for your account... done',
  ],
  flags: {},
  async run(ctx) {
    const email = ctx.args[0];
    const body: Record<string, unknown> = {};
    if (!email) {
      const current = await ctx.prompt('Current password (empty if none): ', { hidden: true });
      if (current !== '') body.current_password = current;
    }
    body.password = await ctx.prompt('New password: ', { hidden: true });
    const path = `/users/${email ? encodeURIComponent(email) : '~'}/password`;
    await ctx.action(`Setting password for ${email ?? 'your account'}`, () => ctx.api.put(path, body));
  },
});
