/**
 * Logplex: one log channel per app. Every producer (dynos, router, API, builder) publishes here;
 * tail, history and drains read from here. Publishing never blocks the caller.
 */
export type LogSource = 'app' | 'heroku';

export interface LogLine {
  /** When the line was produced. */
  time: Date;
  /** `app` for dyno output and API events, `heroku` for router and dyno-manager lines. */
  source: LogSource;
  /** `web.1`, `run.1`, `api`, `router`… */
  dyno: string;
  message: string;
}

/** What every producer depends on: a non-blocking way to put a line on an app's channel. */
export interface LogSink {
  publish(appId: string, line: Omit<LogLine, 'time'> & { time?: Date }): void;
}

/** Which lines a reader wants: `source` app|heroku; `dyno` `web` matches `web` and `web.N`. */
export interface LogFilter {
  source?: LogSource;
  dyno?: string;
}

/** A line once it is on a channel: numbered (per app, never reused) and formatted. */
export interface LogEntry extends LogLine {
  /** Per-app sequence number; the SSE event id of log sessions. */
  seq: number;
  /** RFC 5424 timestamp with microseconds: `2026-11-23T14:05:42.123456+00:00`. */
  timestamp: string;
  /** The line as Heroku prints it: `<timestamp> app[web.1]: message`. */
  text: string;
}

export type LogListener = (entry: LogEntry) => void;

/** The logplex as its readers (sessions, API, drains) see it. */
export interface Logplex extends LogSink {
  /** The last `lines` entries (default 100, at most the history size) that match the filter, oldest first. */
  history(appId: string, opts?: LogFilter & { lines?: number; afterSeq?: number }): LogEntry[];
  /** Live entries of one app that match the filter; returns the unsubscribe function. */
  subscribe(appId: string, filter: LogFilter, listener: LogListener): () => void;
  /** Forgets the app's channel: history (memory and disk), sessions, drain workers. */
  dropChannel(appId: string): Promise<void>;
  start(): Promise<void>;
  /** Flushes history to disk and stops every worker, timer and stream. */
  stop(): Promise<void>;
}
