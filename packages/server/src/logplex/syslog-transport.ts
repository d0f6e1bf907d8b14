/**
 * Syslog drain transport: one long-lived TCP (`syslog://`) or TLS (`syslog+tls://`) connection;
 * each batch is written as concatenated octet-counted frames. A write resolves when the kernel has
 * taken the bytes, so a receiver that stops reading fills its socket, stalls the worker, and the
 * worker's bounded buffer overflows (L10) instead of memory growing here.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Batch, DrainTransport } from './drain-worker.js';

export interface SyslogTarget {
  host: string;
  port: number;
  tls: boolean;
}

export function createSyslogTransport(target: SyslogTarget, tlsOptions: tls.ConnectionOptions = {}, connectTimeoutMs = 10_000): DrainTransport {
  let socket: net.Socket | undefined;
  let usable = false;
  let lastError: Error | undefined;

  return {
    get connected() {
      return usable;
    },
    connect() {
      return new Promise<void>((resolve, reject) => {
        lastError = undefined;
        const s = target.tls
          ? tls.connect({ host: target.host, port: target.port, servername: net.isIP(target.host) ? undefined : target.host, ...tlsOptions })
          : net.connect({ host: target.host, port: target.port });
        socket = s;
        const timer = setTimeout(() => s.destroy(new Error(`connect timeout after ${connectTimeoutMs} ms`)), connectTimeoutMs);
        s.once(target.tls ? 'secureConnect' : 'connect', () => {
          clearTimeout(timer);
          usable = true;
          s.setNoDelay(true);
          s.setKeepAlive(true, 30_000);
          resolve();
        });
        s.on('error', (err) => {
          if (socket === s) {
            lastError = err;
            usable = false;
          }
          clearTimeout(timer);
          reject(err);
        });
        s.on('close', () => {
          if (socket === s) usable = false;
          clearTimeout(timer);
          reject(lastError ?? new Error('connection closed'));
        });
        // Receivers do not talk back; discard anything they send.
        s.resume();
      });
    },
    send(batch: Batch) {
      return new Promise<'sent'>((resolve, reject) => {
        const s = socket;
        if (!s || !usable) return reject(lastError ?? new Error('not connected'));
        s.write(batch.body, (err) => (err ? reject(err) : resolve('sent')));
      });
    },
    close() {
      usable = false;
      socket?.destroy();
      socket = undefined;
    },
  };
}
