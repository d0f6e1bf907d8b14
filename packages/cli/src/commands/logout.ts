import { apiHost } from '../env.js';
import { deleteNetrcEntry } from '../auth/netrc.js';
import { defineCommand } from '../framework/command.js';

export default defineCommand({
  summary: 'forget the token saved by `slipway login`',
  usage: 'logout',
  examples: ['$ slipway logout\nLogging out... done'],
  flags: {},
  async run(ctx) {
    await ctx.action('Logging out', () => deleteNetrcEntry(ctx.env.home, apiHost(ctx.env)), (had) => (had ? 'done' : 'done (was not logged in)'));
    if (ctx.env.apiKey) ctx.warn('Warning: SLIPWAY_API_KEY is still set in your environment.');
  },
});
