/**
 * Keep-alive connections to one dyno, reused last-in first-out. Each connection keeps one set of
 * socket listeners and one response parser for its whole life and hands events to whichever
 * exchange (`ConnectionUser`) holds it at the moment, so a request on a pooled connection
 * allocates almost nothing (node:http's Agent re-attaches its listeners and builds a
 * ClientRequest and an IncomingMessage for every request).
 */
import net from 'node:net';
import { ResponseParser, type ResponseHead } from './response-parser.js';

/** The exchange using a connection: it hears about everything that happens on it. */
export interface ConnectionUser {
  onConnect(): void;
  /** The dyno answered `100 Continue`. */
  onContinue(): void;
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  /** The response is complete; the user releases the connection (`pool.release`) or destroys it. */
  onComplete(): void;
  onDrain(): void;
  /**
   * The connection failed while in use: `connected` false = the connect itself failed (`err`
   * tells refused from other causes); `malformed` = the dyno sent something that is not HTTP.
   * The connection is already destroyed.
   */
  onFailure(failure: { connected: boolean; gotBytes: boolean; err?: NodeJS.ErrnoException; malformed?: string }): void;
}

export class DynoConnection {
  readonly socket: net.Socket;
  readonly parser: ResponseParser;
  user: ConnectionUser | undefined;
  connected = false;
  /** Requests handed out on this connection, this one included. */
  uses = 0;
  /** The last response allows another request on this connection. */
  reusable = false;
  /** Bytes arrived for the current exchange (a pooled connection that dies silently is "stale"). */
  gotBytes = false;
  private error: NodeJS.ErrnoException | undefined;

  constructor(host: string, port: number, readonly pool: DynoPool) {
    const socket = net.connect({ host, port, noDelay: true });
    this.socket = socket;
    this.parser = new ResponseParser({
      onInformational: (status) => {
        if (status === 100) this.user?.onContinue();
      },
      onHead: (head) => this.user?.onHead(head),
      onBody: (chunk) => this.user?.onBody(chunk),
      onComplete: (keepAlive) => {
        this.reusable = keepAlive;
        this.user?.onComplete();
      },
      onError: (reason) => this.fail({ connected: true, gotBytes: true, malformed: reason }),
    });
    socket.on('connect', () => {
      this.connected = true;
      this.user?.onConnect();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.user === undefined) {
        socket.destroy(); // bytes nobody asked for: the connection cannot be trusted any more
        return;
      }
      this.gotBytes = true;
      this.parser.execute(chunk);
    });
    socket.on('end', () => {
      if (this.user === undefined) socket.destroy();
      else if (this.parser.inBody) this.parser.finish(); // completes a body that runs until the close
      else this.fail({ connected: true, gotBytes: this.gotBytes }); // closed before (the end of) a head
    });
    socket.on('drain', () => this.user?.onDrain());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= err;
    });
    socket.on('close', () => {
      this.pool.forget(this);
      if (this.user) this.fail({ connected: this.connected, gotBytes: this.gotBytes, err: this.error });
    });
  }

  /** Sends bytes of the current request; false = wait for `onDrain`. */
  write(data: string | Buffer, encoding?: BufferEncoding): boolean {
    return encoding ? this.socket.write(data, encoding) : this.socket.write(data);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Drops the connection (its user hears nothing more). */
  destroy(): void {
    this.user = undefined;
    this.parser.abandon();
    this.socket.destroy();
  }

  private fail(failure: Parameters<ConnectionUser['onFailure']>[0]): void {
    const user = this.user;
    this.destroy();
    user?.onFailure(failure);
  }
}

export interface DynoPoolOptions {
  host: string;
  port: number;
  /** Idle connections kept; more are closed when released. */
  maxIdle?: number;
}

export class DynoPool {
  private readonly idle: DynoConnection[] = [];
  private readonly all = new Set<DynoConnection>();
  private destroyed = false;
  readonly host: string;
  readonly port: number;
  private readonly maxIdle: number;

  constructor(opts: DynoPoolOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.maxIdle = opts.maxIdle ?? 256;
  }

  /** A connection for `user`: the most recently used idle one, else a new one (connecting). */
  take(user: ConnectionUser, headRequest: boolean): DynoConnection {
    let conn = this.idle.pop();
    while (conn && (conn.socket.destroyed || !conn.socket.writable)) conn = this.idle.pop();
    if (!conn) {
      conn = new DynoConnection(this.host, this.port, this);
      this.all.add(conn);
    }
    conn.parser.reset(headRequest);
    conn.user = user;
    conn.uses += 1;
    conn.reusable = false;
    conn.gotBytes = false;
    return conn;
  }

  /** Back to the pool after a complete response (closed instead when it cannot carry another). */
  release(conn: DynoConnection): void {
    if (this.destroyed || !conn.reusable || conn.socket.destroyed || this.idle.length >= this.maxIdle) {
      conn.destroy();
      return;
    }
    conn.user = undefined;
    conn.resume();
    this.idle.push(conn);
  }

  /** A connection closed: it no longer counts as idle. */
  forget(conn: DynoConnection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  get idleCount(): number {
    return this.idle.length;
  }

  /** Closes the idle connections (`all`: the busy ones too); busy ones are closed when released. */
  destroy(all = false): void {
    this.destroyed = true;
    for (const c of this.idle.splice(0)) c.destroy();
    if (all) for (const c of this.all) c.destroy();
  }
}
