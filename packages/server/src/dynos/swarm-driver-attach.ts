/**
 * Attached one-off dynos on Swarm (`heroku run bash`): Docker's attach API does not reach a
 * container on another node through the manager, so the dyno dials back. Its service runs the
 * command under the attach relay (swarm-agent/attach-relay.cjs, `node -e` from the release's
 * image), which connects to this listener on the control plane's advertise address
 * (SLIPWAY_SWARM_ATTACH_PORT), sends the dyno's secret line, then carries the command's stdin from
 * the socket and its stdout and stderr to it. The driver's `AttachedIo` is a pair of streams made
 * when the dyno starts: input written before the relay connects waits in `stdin`; `output` ends
 * when the relay half-closes (the command is over) or, if it never connected, when the dyno exits.
 * The exit status is the container's (the relay exits with the command's), reported by `onExit`.
 *
 * A secret is good for one connection; an unknown secret, or none within 10 s, is refused with a
 * reset (the relay hangs its command up).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import type { Logger } from '../log/index.js';
import type { AttachedIo } from './driver.js';
import { swarmAgentSource } from '../swarm/agent-source.js';

export interface AttachListenerOptions {
  /** The control plane's address as the nodes reach it (SLIPWAY_SWARM_ADVERTISE_ADDR). */
  listenHost: string;
  /** SLIPWAY_SWARM_ATTACH_PORT (0: any free port, for tests). */
  port: number;
  logger: Logger;
  handshakeTimeoutMs?: number;
}

export interface AttachSession {
  /** What the relay is given: `host:port` to dial and the secret to send. */
  addr: string;
  secret: string;
  io: AttachedIo;
}

export interface AttachListener {
  /** Opens a session for one dyno (listening first if not yet). */
  open(dynoKey: string): Promise<AttachSession>;
  io(dynoKey: string): AttachedIo | undefined;
  /** The dyno is over: its output ends if its relay never connected; the session is forgotten. */
  drop(dynoKey: string): void;
  close(): Promise<void>;
}

interface Entry { secret: string; stdin: PassThrough; output: PassThrough; socket?: net.Socket }

const MAX_SECRET_LINE = 256;

export function createAttachListener(opts: AttachListenerOptions): AttachListener {
  const log = opts.logger;
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
  const sessions = new Map<string, Entry>();
  const sockets = new Set<net.Socket>();
  let listening: Promise<net.AddressInfo> | undefined;

  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', (err) => log.debug('swarm.attach_socket_error', { error: err.message }));
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => socket.resetAndDestroy(), handshakeTimeoutMs);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(0x0a);
      if (nl < 0 && buf.length < MAX_SECRET_LINE) return;
      socket.off('data', onData);
      clearTimeout(timer);
      const secret = nl < 0 ? '' : buf.subarray(0, nl).toString('utf8');
      const found = [...sessions.entries()].find(([, e]) => !e.socket && sameSecret(e.secret, secret));
      if (!found) {
        log.info('swarm.attach_refused', { reason: 'unknown or used secret' });
        // A reset, not a FIN: the relay reads a FIN as the end of its input, a reset as a hang-up.
        socket.resetAndDestroy();
        return;
      }
      const [dynoKey, e] = found;
      e.socket = socket;
      socket.setNoDelay(true);
      const rest = buf.subarray(nl + 1);
      if (rest.length > 0) e.output.write(rest);
      socket.pipe(e.output);
      socket.once('close', () => { if (!e.output.writableEnded) e.output.end(); });
      e.stdin.pipe(socket);
      log.info('swarm.attached', { dyno_key: dynoKey });
    };
    socket.on('data', onData);
  });

  function listen(): Promise<net.AddressInfo> {
    listening ??= new Promise<net.AddressInfo>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.listenHost, () => {
        server.off('error', reject);
        const a = server.address() as net.AddressInfo;
        log.info('swarm.attach_listening', { host: a.address, port: a.port });
        resolve(a);
      });
    });
    listening.catch(() => (listening = undefined));
    return listening;
  }

  return {
    async open(dynoKey) {
      const a = await listen();
      const secret = randomBytes(24).toString('base64url');
      const e: Entry = { secret, stdin: new PassThrough(), output: new PassThrough() };
      sessions.set(dynoKey, e);
      const host = opts.listenHost.includes(':') ? `[${opts.listenHost}]` : opts.listenHost;
      return { addr: `${host}:${a.port}`, secret, io: { stdin: e.stdin, output: e.output } };
    },
    io(dynoKey) {
      const e = sessions.get(dynoKey);
      return e && { stdin: e.stdin, output: e.output };
    },
    drop(dynoKey) {
      const e = sessions.get(dynoKey);
      if (!e) return;
      sessions.delete(dynoKey);
      if (!e.socket && !e.output.writableEnded) e.output.end();
    },
    async close() {
      for (const key of [...sessions.keys()]) this.drop(key);
      for (const s of sockets) s.destroy();
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      listening = undefined;
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The relay's source (packages/server/swarm-agent/attach-relay.cjs). */
export const attachRelaySource = (): string => swarmAgentSource('attach-relay.cjs');
