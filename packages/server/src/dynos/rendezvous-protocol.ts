/**
 * The rendezvous protocol of attached one-off dynos, as the official heroku CLI speaks it
 * (heroku-contract.md A17), in pure functions: the client's first line (the secret), the greeting,
 * `\x04` as end of input when there is no pty, and the exit-status marker that ends the stream.
 */

/** Sent alone before any output: the heroku CLI throws its whole first data chunk away. */
export const GREETING = 'rendezvous\r\n';
/** End of input from a client without a terminal (there is no pty to turn it into EOF). */
export const EOT = 0x04;
/** Longest first line accepted (the secret and an optional query). */
export const MAX_SECRET_LINE = 1024;

/** `rendezvous://<host>:<port>/<secret>` */
export function attachUrl(host: string, port: number, secret: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `rendezvous://${h}:${port}/${secret}`;
}

export type SecretLine =
  | { kind: 'more' }
  | { kind: 'bad' }
  | { kind: 'line'; secret: string; rest: Buffer };

/**
 * Reads the client's first line, `<secret>[?query]\r\n` (or `\n`): the secret without the query,
 * and whatever bytes followed it. `more` until the line is complete; `bad` if it is too long.
 */
export function readSecretLine(buf: Buffer): SecretLine {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return buf.length > MAX_SECRET_LINE ? { kind: 'bad' } : { kind: 'more' };
  if (nl > MAX_SECRET_LINE) return { kind: 'bad' };
  let line = buf.subarray(0, nl).toString('latin1');
  if (line.endsWith('\r')) line = line.slice(0, -1);
  const q = line.indexOf('?');
  const secret = (q >= 0 ? line.slice(0, q) : line).replace(/^\/+/, '');
  return { kind: 'line', secret, rest: buf.subarray(nl + 1) };
}

/**
 * Input from the client to the dyno. On a pty every byte goes through (the terminal driver makes
 * `^D` an EOF and `^C` a SIGINT). Without one, `\x04` means end of input: the bytes before it go
 * through and `eof` is set; anything after it is dropped.
 */
export function splitInput(chunk: Buffer, tty: boolean): { data: Buffer; eof: boolean } {
  if (tty) return { data: chunk, eof: false };
  const at = chunk.indexOf(EOT);
  return at < 0 ? { data: chunk, eof: false } : { data: chunk.subarray(0, at), eof: true };
}

/**
 * The line that tells the client the command's exit status (the CLI removes it and exits with N).
 * It must start a line: a newline is put first unless the output already ended with one.
 */
export function exitMarker(status: number, lastByte: number | undefined): string {
  const prefix = lastByte === undefined || lastByte === 0x0a ? '' : '\r\n';
  return `${prefix}\uFFFF heroku-command-exit-status: ${status}`;
}

/** Parses the marker out of output (for our own client): the text without it, and the status. */
export function takeExitMarker(text: string): { text: string; status: number | null } {
  const m = /\uFFFF heroku-command-exit-status: (\d+)(?:\r?\n)?/.exec(text);
  if (!m) return { text, status: null };
  return { text: text.slice(0, m.index) + text.slice(m.index + m[0].length), status: Number(m[1]) };
}
