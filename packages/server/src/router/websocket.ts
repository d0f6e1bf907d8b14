/**
 * WebSocket (and any `Upgrade:`) handshakes: forwarded to the dyno on a fresh connection; after the
 * dyno's `101` the router tunnels bytes both ways until either side closes or the idle window
 * (55 s, as for HTTP) passes. A dyno that refuses the upgrade gets its answer relayed as is.
 */
import http from 'node:http';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ExchangeConfig, ExchangeResult } from './proxy.js';
import type { Slot } from './dispatcher.js';
import { responseHeadersToClient, VIA } from './headers.js';

export function rawResponseHead(status: number, message: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${message}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return head + '\r\n';
}

export function upgradeExchange(
  req: http.IncomingMessage,
  client: net.Socket,
  head: Buffer,
  slot: Slot,
  path: string,
  headers: string[],
  config: ExchangeConfig,
): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let connectMs: number | null = null;
    let settled = false;
    const upReq = http.request({ host: slot.host, port: slot.port, method: req.method, path, headers, setHost: false, agent: false });
    const settle = (r: Omit<ExchangeResult, 'connectMs' | 'serviceMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(firstByte);
      client.off('close', onClientClose);
      resolve({ ...r, connectMs, serviceMs: connectMs === null ? null : performance.now() - started - connectMs });
    };
    const connectTimer = setTimeout(() => {
      upReq.destroy();
      settle({ kind: 'connect-timeout', status: 0, bytes: 0 });
    }, config.routerConnectTimeoutMs);
    let firstByte: NodeJS.Timeout | undefined;
    const onClientClose = () => {
      upReq.destroy();
      settle({ kind: 'done', code: 'H27', status: 0, bytes: 0 });
    };
    client.on('close', onClientClose);

    upReq.on('socket', (socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        connectMs = performance.now() - started;
        firstByte = setTimeout(() => {
          upReq.destroy();
          settle({ kind: 'done', code: 'H12', status: 0, bytes: 0 });
        }, config.routerTimeoutMs);
      };
      if (socket.connecting) socket.once('connect', connected);
      else connected();
    });
    upReq.end();

    upReq.on('upgrade', (upRes, upSocket, upHead) => {
      if (settled) {
        upSocket.destroy();
        return;
      }
      const headers = [...stripVia(upRes.rawHeaders), 'Via', VIA];
      client.write(rawResponseHead(101, upRes.statusMessage || 'Switching Protocols', headers));
      if (upHead.length > 0) client.write(upHead);
      if (head.length > 0) upSocket.write(head);
      tunnel(client, upSocket, config.routerIdleTimeoutMs);
      settle({ kind: 'done', status: 101, bytes: 0 });
    });

    upReq.on('response', (upRes) => {
      if (settled) {
        upRes.destroy();
        return;
      }
      clearTimeout(firstByte);
      const status = upRes.statusCode ?? 502;
      const rawHeaders = responseHeadersToClient(upRes.rawHeaders).concat('Connection', 'close');
      client.write(rawResponseHead(status, upRes.statusMessage || 'Unknown', rawHeaders));
      let bytes = 0;
      upRes.on('data', (c: Buffer) => (bytes += c.length));
      upRes.pipe(client);
      upRes.on('end', () => settle({ kind: 'done', status, bytes }));
      upRes.on('close', () => {
        if (!upRes.complete) {
          client.destroy();
          settle({ kind: 'done', code: 'H18', status, bytes });
        }
      });
    });

    upReq.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      if (connectMs === null && err.code === 'ECONNREFUSED') return settle({ kind: 'refused', status: 0, bytes: 0 });
      settle({ kind: 'done', code: 'H13', status: 0, bytes: 0 });
    });
  });
}

function stripVia(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() !== 'via') out.push(raw[i], raw[i + 1]);
  return out;
}

/** Bytes both ways; both sockets closed when either ends, errors or stays idle for `idleMs`. */
export function tunnel(a: net.Socket, b: net.Socket, idleMs: number): void {
  const close = () => {
    a.destroy();
    b.destroy();
  };
  for (const s of [a, b]) {
    s.setTimeout(idleMs, close);
    s.on('error', close);
    s.on('close', close);
  }
  a.pipe(b);
  b.pipe(a);
}
