/**
 * RFC 5424 messages as logplex sends them to drains, framed with RFC 6587 octet counting:
 * `<len> <PRI>1 TIMESTAMP HOST APP-NAME PROCID - - MSG`, where HOST is the app's name, APP-NAME the
 * source (`app`/`heroku`) and PROCID the dyno (`web.1`, `router`, `logplex`). Pure.
 */
import type { LogEntry } from './types.js';

const FACILITY = { local0: 16, local3: 19, local5: 21, local7: 23 } as const;
const SEVERITY = { warning: 4, info: 6 } as const;

/**
 * Facilities as logplex uses them: dyno output and app[api] local7.info (190), the router
 * local3.info (158), logplex's own L-code lines local5.warning (172, as logplex_syslog_utils'
 * overflow message), other platform lines (dyno manager) local0.info (134).
 */
export function priority(entry: Pick<LogEntry, 'source' | 'dyno'>): number {
  if (entry.source === 'app') return FACILITY.local7 * 8 + SEVERITY.info;
  if (entry.dyno === 'router') return FACILITY.local3 * 8 + SEVERITY.info;
  if (entry.dyno === 'logplex') return FACILITY.local5 * 8 + SEVERITY.warning;
  return FACILITY.local0 * 8 + SEVERITY.info;
}

/** RFC 5424 header fields are printable ASCII without spaces; empty becomes the NILVALUE `-`. */
function field(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** The RFC 5424 message (without framing). */
export function syslogMessage(entry: Pick<LogEntry, 'timestamp' | 'source' | 'dyno' | 'message'>, host: string): string {
  return `<${priority(entry)}>1 ${entry.timestamp} ${field(host, 255)} ${field(entry.source, 48)} ${field(entry.dyno, 128)} - - ${entry.message}`;
}

/** `<byte length> <message>` (RFC 6587 octet counting). */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}

export function frameEntry(entry: Pick<LogEntry, 'timestamp' | 'source' | 'dyno' | 'message'>, host: string): Buffer {
  return octetFrame(syslogMessage(entry, host));
}

/** Parses a stream of octet-counted frames; returns the complete messages and the unread rest. */
export function parseOctetFrames(buf: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let pos = 0;
  for (;;) {
    const space = buf.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number(buf.subarray(pos, space).toString('ascii'));
    if (!Number.isInteger(len) || len < 0) throw new Error(`bad octet count at byte ${pos}`);
    if (space + 1 + len > buf.length) break;
    messages.push(buf.subarray(space + 1, space + 1 + len).toString('utf8'));
    pos = space + 1 + len;
  }
  return { messages, rest: buf.subarray(pos) };
}
