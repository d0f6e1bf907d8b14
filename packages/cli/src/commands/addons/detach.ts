import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import type { AttachmentJson } from './index.js';

export default defineCommand({
  summary: 'detach an add-on from an app (its config vars are unset with a release)',
  usage: 'addons:detach ATTACHMENT [-a APP]',
  app: true,
  examples: ['$ slipway addons:detach REPORTING -a other\nDetaching REPORTING from other... done'],
  flags: {},
  async run(ctx) {
    const name = ctx.args[0];
    if (!name) throw new UsageError('Missing ATTACHMENT. Usage: slipway addons:detach ATTACHMENT -a APP');
    const app = await ctx.app();
    const attachment = await ctx.api.get<AttachmentJson>(path`/apps/${app}/addon-attachments/${name}`);
    await ctx.action(`Detaching ${attachment.name} from ${app}`, () => ctx.api.delete(path`/addon-attachments/${attachment.id}`));
  },
});
