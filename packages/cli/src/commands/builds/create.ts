import { setTimeout as sleep } from 'node:timers/promises';
import type { Build } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { streamLines } from '../../api/stream.js';
import { CliError, UsageError } from '../../framework/errors.js';

const STATUS_WAIT_MS = 30_000;

export default defineCommand({
  summary: 'build a release from a source tarball URL and stream the build output',
  usage: 'builds:create --source-url URL [--version V] [-b BUILDPACK...] [-a APP]',
  app: true,
  examples: ['$ slipway builds:create --source-url https://example.com/app.tar.gz -a myapp\nStarting build of myapp... done, 5e4b2c1a-…\n-----> Building on the heroku-24 stack\n-----> Node.js app detected\n…\n-----> Launching... Released v4'],
  flags: {
    'source-url': { type: 'string', description: 'URL of a .tar.gz of the source code' },
    version: { type: 'string', description: 'source version, e.g. a git commit sha' },
    buildpack: { type: 'string', char: 'b', multiple: true, description: 'buildpack URL or name to use (instead of the app\'s)' },
    json: { type: 'boolean', description: 'print the finished build in JSON format' },
  },
  async run(ctx) {
    const url = ctx.str('source-url');
    if (!url) throw new UsageError('Missing --source-url. Usage: slipway builds:create --source-url URL -a APP');
    const app = await ctx.app();
    const body: Record<string, unknown> = { source_blob: ctx.str('version') ? { url, version: ctx.str('version') } : { url } };
    const buildpacks = ctx.flags.buildpack as string[] | undefined;
    if (buildpacks?.length) body.buildpacks = buildpacks.map((b) => (/^[a-z][\w-]*$/.test(b) ? { name: b } : { url: b }));
    const build = await ctx.action(`Starting build of ${app}`, () => ctx.api.post<Build>(path`/apps/${app}/builds`, body), (b) => `done, ${b.id}`);
    const out = ctx.bool('json') ? (l: string) => ctx.warn(l) : (l: string) => ctx.out(l);
    if (build.output_stream_url) await streamLines(build.output_stream_url, { signal: ctx.signal, onLine: out });
    let final = build;
    const deadline = Date.now() + STATUS_WAIT_MS;
    while (final.status === 'pending' && Date.now() < deadline && !ctx.signal.aborted) {
      final = await ctx.api.get<Build>(path`/apps/${app}/builds/${build.id}`);
      if (final.status === 'pending') await sleep(500, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
    if (ctx.bool('json')) ctx.json(final);
    if (final.status === 'failed') throw new CliError(`Build ${build.id} failed.`);
    if (final.status === 'pending') ctx.warn(`Build ${build.id} is still running; see slipway builds -a ${app}.`);
  },
});
