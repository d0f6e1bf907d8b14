/**
 * One port, two protocols: a `net.Server` peeks at the first byte of each connection; 0x16 (a TLS
 * handshake record, i.e. a ClientHello) goes to an `https` server, anything else to the `http`
 * server. Both run the same request handler, so `http://localhost:5000` and
 * `https://localhost:5000` serve the same API and git endpoint (heroku-contract.md A23).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Logger } from '../../log/index.js';

export type Protocol = 'tls' | 'http';
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A TLS record of type handshake (22) starts every ClientHello. */
const TLS_HANDSHAKE = 0x16;
/** A connection that sends nothing for this long is closed before a protocol is picked. */
export const FIRST_BYTE_TIMEOUT_MS = 60_000;

/** Pure: which server a connection whose first byte is `byte` belongs to. */
export function protocolOf(byte: number): Protocol {
  return byte === TLS_HANDSHAKE ? 'tls' : 'http';
}

export interface ApiListenerOptions {
  handler: Handler;
  /** Key and certificate in PEM; without them the port speaks plain HTTP only. */
  tls?: { key: string; cert: string };
  logger: Logger;
  serverOptions?: http.ServerOptions;
  /**
   * A request body that sends nothing for this long is cut off (the socket is closed): a rolling
   * window, so a slow but steady git push goes through. 0 or unset = none.
   */
  bodyIdleTimeoutMs?: number;
  /** Open connections one client address may hold; the next ones are closed at once. 0 or unset = no cap. */
  maxConnectionsPerIp?: number;
}

export interface ApiListener {
  /** The listening socket (`address()` gives the port). */
  server: net.Server;
  /** Whether HTTPS is served on the port too. */
  secure: boolean;
  listen(port: number, host?: string): Promise<net.Server>;
  /** Stops accepting, then closes every open connection of both protocols. */
  close(): Promise<void>;
}

/**
 * Wraps the handler: while a request's body is still arriving, the socket may be idle for at most
 * `ms`; the window ends with the body.
 */
export function withBodyIdleTimeout(handler: Handler, ms: number, logger: Logger): Handler {
  if (ms <= 0) return handler;
  return (req, res) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.complete) {
      const socket = req.socket;
      const onTimeout = (): void => {
        logger.info('api.body_timeout', { method: req.method, remote: socket.remoteAddress, timeout_ms: ms });
        socket.destroy();
      };
      socket.setTimeout(ms, onTimeout);
      const done = (): void => {
        // After the response, the socket's timeout is Node's keep-alive one: leave it.
        if (!res.writableFinished) socket.setTimeout(0);
        socket.off('timeout', onTimeout);
      };
      // Not on the response's finish: a body left unread after an early answer still arrives
      // (Node drains it for keep-alive), and a client that stops sending it would hold the socket.
      req.once('end', done);
      req.once('close', done);
    }
    handler(req, res);
  };
}

/** Counts open connections per client address; refuses those over `max`. */
function createConnectionCap(max: number, logger: Logger) {
  const open = new Map<string, number>();
  const refusing = new Set<string>();
  return (socket: net.Socket): boolean => {
    if (max <= 0) return true;
    const ip = socket.remoteAddress ?? '';
    const n = open.get(ip) ?? 0;
    if (n >= max) {
      if (!refusing.has(ip)) {
        refusing.add(ip);
        logger.warn('api.connection_cap', { remote: ip, open: n, max });
      }
      socket.destroy();
      return false;
    }
    open.set(ip, n + 1);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left <= 0) open.delete(ip);
      else open.set(ip, left);
      if (left < max) refusing.delete(ip);
    });
    return true;
  };
}

export function createApiListener(opts: ApiListenerOptions): ApiListener {
  const handler = withBodyIdleTimeout(opts.handler, opts.bodyIdleTimeoutMs ?? 0, opts.logger);
  const plain = http.createServer(opts.serverOptions ?? {}, handler);
  const secure = opts.tls ? https.createServer({ ...opts.serverOptions, key: opts.tls.key, cert: opts.tls.cert }, handler) : undefined;
  const sockets = new Set<net.Socket>();
  const admit = createConnectionCap(opts.maxConnectionsPerIp ?? 0, opts.logger);
  // Before a protocol is picked, a connection gets as long as the headers would.
  const firstByteMs = opts.serverOptions?.headersTimeout || FIRST_BYTE_TIMEOUT_MS;
  secure?.on('tlsClientError', (err, socket) => {
    opts.logger.debug('api.tls_client_error', { error: err.message, remote: socket.remoteAddress });
    socket.destroy();
  });

  const dispatch = (socket: net.Socket, first: Buffer): void => {
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(first);
    const target = secure && protocolOf(first[0]) === 'tls' ? secure : plain;
    target.emit('connection', socket);
    // The http/tls connection listeners attach their readers; let the buffered byte(s) flow to them.
    process.nextTick(() => socket.resume());
  };

  // Without a certificate the http server listens itself: no peeking needed.
  const server: net.Server = secure ? net.createServer({ pauseOnConnect: true }, (socket) => {
    if (!admit(socket)) return;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const onError = (): void => { socket.destroy(); };
    socket.once('error', onError);
    socket.setTimeout(firstByteMs, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.off('error', onError);
      dispatch(socket, first);
    });
    socket.resume();
  }) : plain;
  if (!secure) plain.prependListener('connection', (socket: net.Socket) => { admit(socket); });

  return {
    server,
    secure: secure !== undefined,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          // The inner servers never listen themselves; 'listening' starts their connection
          // tracking, so headersTimeout/requestTimeout and closeAllConnections() apply to them too.
          if (secure) for (const inner of [plain, secure]) inner.emit('listening');
          resolve(server);
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (!server.listening) {
          for (const s of sockets) s.destroy();
          resolve();
          return;
        }
        server.close(() => resolve());
        const inner = secure ? [plain, secure] : [plain];
        // close() of a server that never listened only stops its connection tracking.
        if (secure) for (const s of inner) s.close();
        for (const s of inner) s.closeIdleConnections();
        setImmediate(() => {
          for (const s of inner) s.closeAllConnections();
          for (const s of sockets) s.destroy();
        });
      });
    },
  };
}
