import { defineCommand } from '../../framework/command.js';
import { UsageError } from '../../framework/errors.js';
import type { AttachmentJson } from './index.js';

export default defineCommand({
  summary: 'attach an existing add-on to another app',
  usage: 'addons:attach ADDON [-a APP] [--as NAME] [--confirm APP]',
  description: 'Sets <NAME>_URL on the app and creates a release. --confirm replaces an attachment of the same name.',
  app: true,
  examples: ['$ slipway addons:attach postgresql-curved-12345 -a other --as REPORTING\nAttaching postgresql-curved-12345 as REPORTING to other... done'],
  flags: {
    as: { type: 'string', description: 'the attachment name (its config var prefix)' },
    confirm: { type: 'string', char: 'c', description: 'the app name, to replace an attachment of the same name' },
  },
  async run(ctx) {
    const addon = ctx.args[0];
    if (!addon) throw new UsageError('Missing ADDON. Usage: slipway addons:attach ADDON -a APP [--as NAME]');
    const app = await ctx.app();
    const as = ctx.str('as');
    const body = { addon: { name: addon }, app: { name: app }, ...(as === undefined ? {} : { name: as }), ...(ctx.str('confirm') === undefined ? {} : { confirm: ctx.str('confirm') }) };
    await ctx.action(`Attaching ${addon}${as ? ` as ${as}` : ''} to ${app}`, () => ctx.api.post<AttachmentJson>('/addon-attachments', body));
  },
});
