/**
 * Shows an app's logs: opens a log session (POST /apps/:app/log-sessions) and reads its
 * `logplex_url`, Server-Sent Events or plain lines. When tailing, a closed stream is resumed
 * (with Last-Event-ID) until the command's signal is aborted (Ctrl-C).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogSession } from '@slipway/contract';
import type { Context } from '../framework/command.js';
import { CliError } from '../framework/errors.js';
import { path } from './client.js';
import { streamLines } from './stream.js';

export interface LogOptions {
  lines?: number;
  tail?: boolean;
  source?: string;
  /** A dyno (`web.1`) or a process type (`web`). */
  dyno?: string;
}

const RECONNECT_MS = 1000;

export async function displayLogs(ctx: Pick<Context, 'api' | 'signal' | 'out'>, app: string, opts: LogOptions): Promise<void> {
  const body: Record<string, unknown> = {};
  if (opts.source) body.source = opts.source;
  if (opts.dyno) body.dyno = opts.dyno;
  body.lines = opts.lines ?? 100;
  body.tail = opts.tail ?? false;
  const session = await ctx.api.post<LogSession>(path`/apps/${app}/log-sessions`, body);
  if (!session?.logplex_url) throw new CliError('The API returned a log session without a logplex_url.');
  let lastEventId: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const r = await streamLines(session.logplex_url, { signal: ctx.signal, lastEventId, onLine: (l) => ctx.out(l) });
    if (r.aborted || ctx.signal.aborted) return;
    if (r.status < 200 || r.status > 299) {
      if (opts.tail && attempt > 0 && (r.status === 404 || r.status === 403)) throw new CliError('Log stream timed out. Please try again.');
      throw new CliError(`Logs eventsource failed with: ${r.status}`);
    }
    if (!opts.tail) return;
    lastEventId = r.lastEventId;
    try {
      await sleep(r.retryMs ?? RECONNECT_MS, undefined, { signal: ctx.signal });
    } catch {
      return;
    }
  }
}
