/**
 * The client side of attached one-off dynos (`slipway run CMD…`): the rendezvous protocol of
 * heroku-contract.md A17, the same one the official CLI speaks. POST /apps/:app/dynos with `attach: true` gives `attach_url`
 * (`rendezvous://host:port/secret`); we open TLS to it, send `secret\r\n`, read the platform's
 * `rendezvous\r\n` greeting, then pipe the terminal both ways. Without a terminal, end of input is
 * sent as `\x04`. The last line, `\uFFFF heroku-command-exit-status: N`, is removed and becomes our
 * exit code.
 *
 * Trusting the platform's self-signed certificate: `--ca-cert <data dir>/tls/cert.pem`, or Node's
 * own `NODE_EXTRA_CA_CERTS=<data dir>/tls/cert.pem` (what the heroku CLI needs too).
 */
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import type { Context } from '../framework/command.js';
import { CliError } from '../framework/errors.js';

const GREETING = 'rendezvous\r\n';
const MARKER = '\uFFFF heroku-command-exit-status: ';
const MARKER_RE = /\uFFFF heroku-command-exit-status: (\d+)(?:\r?\n)?/;

/**
 * Splits the output stream: text to print now, and a held-back tail that may be the start of the
 * exit marker (kept until more arrives or the connection closes).
 */
export function splitOutput(pending: string): { print: string; hold: string } {
  const at = pending.indexOf('\uFFFF');
  if (at < 0) return { print: pending, hold: '' };
  const m = MARKER_RE.exec(pending.slice(at));
  if (m && m.index === 0) return { print: pending, hold: '' };
  const tail = pending.slice(at);
  // Hold it while it could still become the marker; otherwise it is ordinary output.
  if (MARKER.startsWith(tail) || (tail.startsWith(MARKER) && /^\d*$/.test(tail.slice(MARKER.length)))) {
    return { print: pending.slice(0, at), hold: tail };
  }
  return { print: pending, hold: '' };
}

/** Connects to the dyno and relays until it ends; resolves with its exit status (null if none came). */
export function rendezvous(ctx: Pick<Context, 'io' | 'bool' | 'signal'>, attachUrl: string, ca: string | undefined): Promise<number | null> {
  const url = new URL(attachUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 5000);
  const stdin = ctx.io.stdin;
  const tty = Boolean(stdin.isTTY) && !ctx.bool('no-tty');
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...(ca ? { ca: [...tls.rootCertificates, ca] } : {}) }, () => {
      socket.write(url.pathname.slice(1) + url.search + '\r\n');
    });
    socket.setTimeout(60 * 60 * 1000, () => socket.destroy(new Error('timed out')));
    const decoder = new StringDecoder('utf8');
    let greeted = false;
    let head = '';
    let held = '';
    let status: number | null = null;
    const print = (text: string) => {
      const split = splitOutput(held + text);
      held = split.hold;
      let out = split.print;
      const m = MARKER_RE.exec(out);
      if (m) {
        status = Number(m[1]);
        out = out.slice(0, m.index) + out.slice(m.index + m[0].length);
      }
      if (!ctx.io.isTTY) out = out.replace(/\r\n/g, '\n');
      if (out) ctx.io.stdout.write(out);
    };
    const onInput = (chunk: Buffer | string) => {
      if (!socket.destroyed) socket.write(chunk);
    };
    const onInputEnd = () => {
      if (!tty && !socket.destroyed) socket.write('\x04');
    };
    const startInput = () => {
      if (tty) stdin.setRawMode?.(true);
      stdin.on('data', onInput);
      stdin.once('end', onInputEnd);
      stdin.resume();
    };
    const stopInput = () => {
      stdin.off('data', onInput);
      stdin.off('end', onInputEnd);
      if (tty) stdin.setRawMode?.(false);
      stdin.pause();
    };
    socket.on('data', (chunk: Buffer) => {
      const text = decoder.write(chunk);
      if (greeted) return print(text);
      head += text;
      if (head.length < GREETING.length && GREETING.startsWith(head)) return;
      greeted = true;
      startInput();
      print(head.startsWith(GREETING) ? head.slice(GREETING.length) : head);
    });
    const onAbort = () => socket.end();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => {
      stopInput();
      ctx.signal.removeEventListener('abort', onAbort);
      reject(new CliError(`Cannot reach the dyno at ${url.host}: ${err.message}${/certificate|self[- ]signed/i.test(err.message) ? ' (trust the platform certificate with --ca-cert <data dir>/tls/cert.pem or NODE_EXTRA_CA_CERTS)' : ''}`));
    });
    socket.once('close', () => {
      stopInput();
      ctx.signal.removeEventListener('abort', onAbort);
      print(decoder.end());
      if (held) ctx.io.stdout.write(held);
      if (!greeted) reject(new CliError('The platform closed the connection to the dyno (unknown or expired attach URL).'));
      else resolve(status);
    });
  });
}
