/** Live streams: a build's plain-text output, and a log session's server-sent events. */
import { sameOrigin } from './api';

/** Reads a build's `output_stream_url` chunk by chunk until it ends or `signal` aborts. */
export async function readBuildOutput(url: string, onText: (text: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(sameOrigin(url), { signal });
  if (!res.ok || !res.body) throw new Error(`Build output unavailable (${res.status}).`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onText(value);
  }
}

/**
 * Opens a log session's `logplex_url` as an EventSource; returns its close function. The browser
 * reconnects by itself after a network error (resuming after the last event id); `onClosed` is
 * called when it gives up (the session expired: 404).
 */
export function openLogStream(url: string, onLine: (line: string) => void, onState: (open: boolean) => void, onClosed: () => void): () => void {
  const source = new EventSource(sameOrigin(url));
  source.onmessage = (ev: MessageEvent<string>) => {
    for (const line of ev.data.split('\n')) if (line !== '') onLine(line);
  };
  source.onopen = () => onState(true);
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) onClosed();
    else onState(source.readyState === EventSource.OPEN);
  };
  return () => source.close();
}
