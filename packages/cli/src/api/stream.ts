/**
 * Reads a streamed URL (log sessions' `logplex_url`, builds' `output_stream_url`): Server-Sent
 * Events (`data: <line>`, comments and named events ignored, `id:` remembered) or plain text.
 */
import { createParser } from 'eventsource-parser';
import { CliError } from '../framework/errors.js';
import type { Fetch } from './client.js';

export interface StreamOptions {
  fetch?: Fetch;
  signal?: AbortSignal;
  /** Sent as `Last-Event-ID` when resuming an SSE stream. */
  lastEventId?: string;
  /** Called with each line (SSE data lines, or plain text split on newlines). */
  onLine(line: string): void;
}

export interface StreamResult {
  status: number;
  /** The last SSE `id:` seen. */
  lastEventId?: string;
  /** The SSE `retry:` value in ms, if the server sent one. */
  retryMs?: number;
  /** True when the stream ended because `signal` was aborted. */
  aborted: boolean;
}

export async function streamLines(url: string, opts: StreamOptions): Promise<StreamResult> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { Accept: 'text/event-stream, text/plain;q=0.9, */*;q=0.8', 'Cache-Control': 'no-cache' };
  if (opts.lastEventId) headers['Last-Event-ID'] = opts.lastEventId;
  let res: Response;
  try {
    res = await doFetch(url, { headers, signal: opts.signal });
  } catch (err) {
    if (opts.signal?.aborted) return { status: 0, aborted: true, lastEventId: opts.lastEventId };
    const cause = (err as { cause?: { code?: string } })?.cause;
    throw new CliError(`Cannot read the stream at ${redact(url)} (${cause?.code ?? (err as Error).message}).`);
  }
  const result: StreamResult = { status: res.status, aborted: false, lastEventId: opts.lastEventId };
  if (res.status < 200 || res.status > 299 || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    return result;
  }
  const sse = /text\/event-stream/i.test(res.headers.get('content-type') ?? '');
  const parser = sse ? createSseParser(opts.onLine, result) : createPlainParser(opts.onLine);
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
    parser.end();
  } catch (err) {
    if (opts.signal?.aborted) {
      result.aborted = true;
      return result;
    }
    parser.end();
    // A dropped connection ends the stream like EOF; the caller decides whether to reconnect.
    if ((err as Error)?.name !== 'TypeError' && (err as Error)?.name !== 'AbortError') throw err;
  }
  return result;
}

interface Parser {
  push(text: string): void;
  end(): void;
}

function createPlainParser(onLine: (line: string) => void): Parser {
  let buf = '';
  return {
    push(text) {
      buf += text;
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        onLine(buf.slice(0, nl).replace(/\r$/, ''));
        buf = buf.slice(nl + 1);
      }
    },
    end() {
      if (buf !== '') onLine(buf.replace(/\r$/, ''));
      buf = '';
    },
  };
}

/**
 * The WHATWG event-stream format, parsed by `eventsource-parser`: `data` lines of unnamed or
 * `message` events become lines; `id` and `retry` are remembered; comments and named events are
 * skipped. An event cut off by the end of the stream is still delivered (logs lose nothing).
 */
export function createSseParser(onLine: (line: string) => void, state: { lastEventId?: string; retryMs?: number }): Parser {
  const parser = createParser({
    onEvent(message) {
      if (message.id !== undefined) state.lastEventId = message.id;
      if (message.event !== undefined && message.event !== 'message') return;
      const text = message.data.trim();
      if (text !== '') for (const line of text.split('\n')) onLine(line);
    },
    onRetry(ms) {
      state.retryMs = ms;
    },
  });
  return {
    push: (text) => parser.feed(text),
    end: () => parser.reset({ consume: true }),
  };
}

/** Hides capability tokens in URLs shown in errors. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.search) u.search = '?…';
    return u.toString();
  } catch {
    return url;
  }
}
