/** The logplex room's door: one channel per app, history, log sessions, drains. */
export { createLogplex, DEFAULT_LOGPLEX_OPTIONS } from './logplex.js';
export type { LogplexDeps, LogplexOptions, LogplexService } from './logplex.js';
export { parseDrainUrl } from './drains.js';
export type { DrainManager, DrainStore } from './drains.js';
export { parseSessionRequest } from './sessions.js';
export type { LogSessions, LogSessionRecord, SessionRequest } from './sessions.js';
export { formatLine, rfc5424Micros, splitMessage, matchesFilter, MAX_LINE_BYTES } from './format.js';
export { frameEntry, syslogMessage, parseOctetFrames } from './syslog-frame.js';
export type { LogEntry, LogFilter, LogLine, LogListener, LogSink, LogSource, Logplex } from './types.js';
