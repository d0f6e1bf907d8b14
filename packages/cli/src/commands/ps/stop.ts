import { defineCommand, type Command } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import { dynoTarget } from './restart.js';

export function stopCommand(verb: 'stop' | 'kill'): Command {
  return defineCommand({
    summary: verb === 'stop' ? 'stop a dyno or every dyno of a process type' : 'kill (stop) a dyno or every dyno of a process type',
    usage: `ps:${verb} DYNO | TYPE [-a APP]`,
    description: 'Stopping a dyno of the formation restarts it; stopping a one-off dyno ends it. Scale to 0 to stop a type for good.',
    aliases: [`dyno:${verb}`, verb],
    examples: [
      `$ slipway ps:${verb} run.1828 -a myapp\nStopping dyno run.1828 on myapp... done`,
      `$ slipway ps:${verb} worker -a myapp\nStopping all worker dynos on myapp... done`,
    ],
    app: true,
    flags: {
      'process-type': { type: 'string', char: 'p', description: 'process type of the dynos to stop' },
      'dyno-name': { type: 'string', char: 'd', description: 'name of the dyno to stop' },
    },
    async run(ctx) {
      const app = await ctx.app();
      const target = dynoTarget(ctx.args[0], ctx.str('process-type'), ctx.str('dyno-name'));
      if (target.type) {
        await ctx.action(`Stopping all ${target.type} dynos on ${app}`, () => ctx.api.post(path`/apps/${app}/formations/${target.type!}/actions/stop`));
      } else if (target.dyno) {
        await ctx.action(`Stopping dyno ${target.dyno} on ${app}`, () => ctx.api.post(path`/apps/${app}/dynos/${target.dyno!}/actions/stop`));
      } else {
        throw new UsageError(`Please specify a process type or dyno name to ${verb}: slipway ps:${verb} web.1 (or worker).`);
      }
    },
  });
}

export default stopCommand('stop');
