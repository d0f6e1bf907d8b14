import { defineCommand } from '../framework/command.js';
import { displayLogs } from '../api/logs.js';
import { UsageError } from '../framework/errors.js';

export default defineCommand({
  summary: 'display recent log output (and follow it with --tail)',
  usage: 'logs [-a APP] [-n NUM] [--tail] [--source app|heroku] [--dyno web.1 | --process-type web]',
  examples: [
    '$ slipway logs -n 3 -a myapp\n2026-11-22T21:05:42.000000+00:00 app[api]: Release v3 created by user admin@example.com\n2026-11-22T21:05:43.100000+00:00 heroku[web.1]: State changed from starting to up\n2026-11-22T21:05:44.200000+00:00 app[web.1]: Listening on 5000',
    '$ slipway logs --tail --dyno web.1 -a myapp',
  ],
  app: true,
  flags: {
    num: { type: 'integer', char: 'n', description: 'number of lines to display (default 100)' },
    tail: { type: 'boolean', char: 't', description: 'continually stream logs' },
    source: { type: 'string', char: 's', description: 'only show output from this source (app or heroku)' },
    dyno: { type: 'string', char: 'd', description: 'only show output from this dyno (web.1) or process type' },
    'process-type': { type: 'string', char: 'p', description: 'only show output from this process type (web)' },
  },
  async run(ctx) {
    const app = await ctx.app();
    const source = ctx.str('source');
    if (source && !['app', 'heroku'].includes(source)) throw new UsageError(`--source must be app or heroku, got "${source}".`);
    await displayLogs(ctx, app, {
      lines: ctx.int('num'),
      tail: ctx.bool('tail'),
      source,
      dyno: ctx.str('dyno') ?? ctx.str('process-type'),
    });
  },
});
