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
