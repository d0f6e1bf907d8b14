/**
 * Reads a streamed URL (log sessions' `logplex_url`, builds' `output_stream_url`): Server-Sent
 * Events (`data: <line>`, comments and named events ignored, `id:` remembered) or plain text.
 */
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

/** The WHATWG event-stream format, enough of it for logs: data, event, id, retry, comments. */
export function createSseParser(onLine: (line: string) => void, state: { lastEventId?: string; retryMs?: number }): Parser {
  let buf = '';
  let data: string[] = [];
  let event = '';
  const dispatch = () => {
    if (data.length > 0 && (event === '' || event === 'message')) {
      const text = data.join('\n').trim();
      if (text !== '') for (const line of text.split('\n')) onLine(line);
    }
    data = [];
    event = '';
  };
  const line = (l: string) => {
    if (l === '') return dispatch();
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') state.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) state.retryMs = Number(value);
  };
  return {
    push(text) {
      buf += text;
      let nl: number;
      while ((nl = buf.search(/\r\n|\r|\n/)) !== -1) {
        const sep = buf.startsWith('\r\n', nl) ? 2 : 1;
        line(buf.slice(0, nl));
        buf = buf.slice(nl + sep);
      }
    },
    end() {
      if (buf !== '') line(buf);
      buf = '';
      dispatch();
    },
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
