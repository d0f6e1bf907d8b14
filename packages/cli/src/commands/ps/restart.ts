import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'restart app dynos: all, one process type, or one dyno',
  usage: 'ps:restart [TYPE | DYNO] [-a APP] [-p TYPE] [-d DYNO]',
  aliases: ['restart', 'dyno:restart'],
  examples: [
    '$ slipway ps:restart -a myapp\nRestarting all dynos on myapp... done',
    '$ slipway ps:restart web -a myapp\nRestarting all web dynos on myapp... done',
    '$ slipway ps:restart web.1 -a myapp\nRestarting dyno web.1 on myapp... done',
  ],
  app: true,
  flags: {
    'process-type': { type: 'string', char: 'p', description: 'process type of the dynos to restart' },
    'dyno-name': { type: 'string', char: 'd', description: 'name of the dyno to restart' },
  },
  async run(ctx) {
    const app = await ctx.app();
    const target = dynoTarget(ctx.args[0], ctx.str('process-type'), ctx.str('dyno-name'));
    let label: string;
    let url: string;
    if (target.type) {
      label = `Restarting all ${target.type} dynos on ${app}`;
      url = path`/apps/${app}/formations/${target.type}`;
    } else if (target.dyno) {
      label = `Restarting dyno ${target.dyno} on ${app}`;
      url = path`/apps/${app}/dynos/${target.dyno}`;
    } else {
      label = `Restarting all dynos on ${app}`;
      url = path`/apps/${app}/dynos`;
    }
    await ctx.action(label, () => ctx.api.delete(url));
  },
});

/** `web` is a process type, `web.1` a dyno; `-p`/`-d` say which explicitly. */
export function dynoTarget(arg: string | undefined, type: string | undefined, dyno: string | undefined): { type?: string; dyno?: string } {
  if ([arg, type, dyno].filter(Boolean).length > 1) throw new UsageError('Give only one of TYPE|DYNO, --process-type or --dyno-name.');
  if (type) return { type };
  if (dyno) return { dyno };
  if (!arg) return {};
  return arg.includes('.') ? { dyno: arg } : { type: arg };
}
