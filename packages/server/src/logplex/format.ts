/**
 * Pure helpers for log lines: Heroku's timestamp and line format, splitting of long lines and
 * matching of filters. No I/O.
 */
import type { LogFilter, LogLine } from './types.js';

/** Heroku splits lines longer than this many bytes into chunks of at most this size. */
export const MAX_LINE_BYTES = 10_000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-11-23T14:05:42.123456+00:00` from microseconds since the epoch. */
export function rfc5424Micros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const d = new Date(ms);
  const frac = pad(((micros % 1_000_000) + 1_000_000) % 1_000_000, 6);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac}+00:00`;
}

/** `2026-11-23T14:05:42+00:00` (whole seconds), as logplex writes the "since" of an L10. */
export function rfc5424Seconds(date: Date): string {
  return rfc5424Micros(date.getTime() * 1000).replace(/\.\d{6}/, '');
}

/** Parses `rfc5424Micros` output (or any ISO time) back to microseconds. */
export function parseMicros(timestamp: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(.*)$/.exec(timestamp);
  if (!m) return Date.parse(timestamp) * 1000;
  const whole = Date.parse(`${m[1]}${m[3] || 'Z'}`);
  return whole * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** `<timestamp> app[web.1]: message` */
export function formatLine(timestamp: string, line: Pick<LogLine, 'source' | 'dyno' | 'message'>): string {
  return `${timestamp} ${line.source}[${line.dyno}]: ${line.message}`;
}

/**
 * One published message → the messages that go on the channel: one per text line, each at most
 * MAX_LINE_BYTES bytes of UTF-8 (split on character boundaries).
 */
export function splitMessage(message: string, maxBytes = MAX_LINE_BYTES): string[] {
  const lines = message.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  for (const line of lines) {
    if (Buffer.byteLength(line) <= maxBytes) {
      out.push(line);
      continue;
    }
    const bytes = Buffer.from(line);
    let start = 0;
    while (start < bytes.length) {
      let end = Math.min(start + maxBytes, bytes.length);
      // Back up to a UTF-8 character boundary (continuation bytes are 10xxxxxx).
      while (end < bytes.length && end > start && (bytes[end] & 0xc0) === 0x80) end--;
      if (end === start) end = Math.min(start + maxBytes, bytes.length);
      out.push(bytes.subarray(start, end).toString('utf8'));
      start = end;
    }
  }
  return out;
}

/** Does the line pass the filter? `dyno: 'web'` matches `web` and `web.N`; `web.1` only itself. */
export function matchesFilter(line: Pick<LogLine, 'source' | 'dyno'>, filter: LogFilter): boolean {
  if (filter.source && line.source !== filter.source) return false;
  if (filter.dyno) {
    if (line.dyno === filter.dyno) return true;
    if (filter.dyno.includes('.')) return false;
    return line.dyno.startsWith(`${filter.dyno}.`);
  }
  return true;
}

/** Reads `source`/`dyno`/`dyno_name`/`type` of a log-session body into a filter (invalid → undefined fields). */
export function filterFrom(input: { source?: unknown; dyno?: unknown; dyno_name?: unknown; type?: unknown }): LogFilter {
  const filter: LogFilter = {};
  if (input.source === 'app' || input.source === 'heroku') filter.source = input.source;
  const dyno = [input.dyno_name, input.dyno, input.type].find((v) => typeof v === 'string' && v.trim() !== '');
  if (typeof dyno === 'string') filter.dyno = dyno.trim();
  return filter;
}
