/**
 * The rendezvous listener of attached one-off dynos (`heroku run bash`, `slipway run CMD`): a TLS
 * port of its own (SLIPWAY_RENDEZVOUS_PORT, default 5001) with the platform's certificate.
 *
 * `POST /apps/:app/dynos` with `attach: true` registers the dyno's session here and answers at
 * once with `attach_url: rendezvous://<host>:<port>/<secret>`. The client connects, sends
 * `<secret>\r\n`; we answer `rendezvous\r\n` alone (the heroku CLI discards its first data chunk),
 * then relay the dyno's output to it and its input to the dyno (`\x04` = end of input without a
 * pty); when the dyno is over we send `\uFFFF heroku-command-exit-status: N` and close.
 * A secret is good for one connection, and only for `claimTimeoutMs`: an unknown or expired secret
 * gets its connection closed, and a dyno nobody attached to in time is stopped. A client that goes
 * away before the dyno ends stops it too (as Heroku does).
 */
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log/index.js';
import type { AttachedIo } from './driver.js';
import type { OneOffSession } from './one-off.js';
import { attachUrl, exitMarker, GREETING, readSecretLine, splitInput } from './rendezvous-protocol.js';

export interface RendezvousOptions {
  tls: { key: string; cert: string };
  logger: Logger;
  /** Host named in attach URLs: must be covered by the certificate (default `localhost`). */
  publicHost?: string;
  /** A session not claimed within this long is dropped and its dyno stopped (default 60 s). */
  claimTimeoutMs?: number;
  /** A client must send its secret line within this long (default 30 s). */
  handshakeTimeoutMs?: number;
  /**
   * After the greeting, output waits for the client's first byte (its sign that it saw the
   * greeting) or this long, whichever comes first (default 300 ms).
   */
  greetingPauseMs?: number;
}

export interface Rendezvous {
  listen(port: number, host?: string): Promise<net.AddressInfo>;
  /** Registers an attached dyno's session; returns its attach_url. Throws when not listening. */
  open(session: OneOffSession): string;
  /** Sessions registered and not yet claimed (for tests and metrics). */
  pending(): number;
  /** Stops listening, closes every connection (their dynos are stopped) and drops pending sessions. */
  close(): Promise<void>;
}

interface Pending {
  session: OneOffSession;
  timer: NodeJS.Timeout;
}

export function createRendezvous(opts: RendezvousOptions): Rendezvous {
  const log = opts.logger;
  const claimTimeoutMs = opts.claimTimeoutMs ?? 60_000;
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 30_000;
  const greetingPauseMs = opts.greetingPauseMs ?? 300;
  const pending = new Map<string, Pending>();
  const sockets = new Set<tls.TLSSocket>();
  let address: net.AddressInfo | undefined;
  let closing = false;

  const server = tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', (err) => log.debug('rendezvous.client_error', { error: err.message }));
    handshake(socket);
  });
  server.on('tlsClientError', (err, socket) => {
    log.debug('rendezvous.tls_client_error', { error: err.message });
    socket.destroy();
  });

  const claim = (secret: string): OneOffSession | undefined => {
    const p = pending.get(secret);
    if (!p) return undefined;
    pending.delete(secret);
    clearTimeout(p.timer);
    return p.session;
  };

  function handshake(socket: tls.TLSSocket): void {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), handshakeTimeoutMs);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const line = readSecretLine(buf);
      if (line.kind === 'more') return;
      socket.off('data', onData);
      clearTimeout(timer);
      const session = line.kind === 'line' ? claim(line.secret) : undefined;
      if (!session || line.kind !== 'line') {
        log.info('rendezvous.refused', { reason: line.kind === 'bad' ? 'bad first line' : 'unknown or expired secret' });
        socket.destroy();
        return;
      }
      socket.pause();
      void relay(socket, session, line.rest).catch((err) => {
        log.error('rendezvous.relay_failed', { app: session.appId, dyno: session.dynoName, error: String(err) });
        socket.destroy();
        session.stop();
      });
    };
    socket.on('data', onData);
  }

  async function relay(socket: tls.TLSSocket, session: OneOffSession, early: Buffer): Promise<void> {
    const { dynoName } = session;
    log.info('rendezvous.attached', { app: session.appId, dyno: dynoName, tty: session.tty });
    socket.setNoDelay(true);
    let over = false;
    socket.once('close', () => {
      if (!over) {
        log.info('rendezvous.client_left', { app: session.appId, dyno: dynoName });
        session.stop();
      }
    });
    // Input that arrives before the dyno's stdin is known waits here.
    const queued: Buffer[] = early.length > 0 ? [early] : [];
    let heardFromClient = early.length > 0;
    let stdin: NodeJS.WritableStream | undefined;
    let inputDone = false;
    let wake: (() => void) | undefined;
    const feed = (chunk: Buffer) => {
      if (inputDone) return;
      if (!stdin) {
        queued.push(chunk);
        return;
      }
      const { data, eof } = splitInput(chunk, session.tty);
      if (data.length > 0 && !stdin.write(data)) {
        socket.pause();
        stdin.once('drain', () => socket.resume());
      }
      if (eof) {
        inputDone = true;
        stdin.end();
      }
    };
    socket.on('data', (chunk: Buffer) => {
      heardFromClient = true;
      wake?.();
      feed(chunk);
    });

    await new Promise<void>((resolve) => socket.write(GREETING, () => resolve()));
    socket.resume();
    if (!heardFromClient) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, greetingPauseMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }

    const io: AttachedIo | undefined = await session.io;
    let last: number | undefined;
    if (io) {
      stdin = io.stdin;
      for (const chunk of queued.splice(0)) feed(chunk);
      await new Promise<void>((resolve) => {
        io.output.on('data', (chunk: Buffer) => {
          if (chunk.length === 0) return;
          last = chunk[chunk.length - 1];
          if (!socket.destroyed && !socket.write(chunk)) {
            io.output.pause();
            socket.once('drain', () => io.output.resume());
          }
        });
        io.output.once('end', resolve);
        io.output.once('error', () => resolve());
        socket.once('close', () => {
          // Nobody to read it any more: let the dyno's output flow (it still goes to the app's log).
          io.output.resume();
        });
      });
    } else {
      socket.write('Error: could not attach to this dyno; its output is in the app\'s log.\r\n');
      last = 0x0a;
    }
    const status = await session.exit;
    over = true;
    if (socket.destroyed) return;
    socket.end(exitMarker(status, last));
    log.info('rendezvous.done', { app: session.appId, dyno: dynoName, status });
  }

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          address = server.address() as net.AddressInfo;
          log.info('rendezvous.listening', { host: address.address, port: address.port });
          resolve(address);
        });
      });
    },

    open(session) {
      if (!address || closing) throw new Error('the rendezvous listener is not running');
      const secret = randomBytes(24).toString('base64url');
      const timer = setTimeout(() => {
        if (!pending.delete(secret)) return;
        log.info('rendezvous.unclaimed', { app: session.appId, dyno: session.dynoName });
        session.stop();
      }, claimTimeoutMs);
      timer.unref();
      pending.set(secret, { session, timer });
      return attachUrl(opts.publicHost ?? 'localhost', address.port, secret);
    },

    pending: () => pending.size,

    async close() {
      closing = true;
      for (const [secret, p] of pending) {
        clearTimeout(p.timer);
        pending.delete(secret);
        p.session.stop();
      }
      const closed = address ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
      for (const s of sockets) s.destroy();
      await closed;
      address = undefined;
    },
  };
}
