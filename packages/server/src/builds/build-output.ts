/**
 * Build (and release-phase) output: appended while the build runs, readable live by any number of
 * streams, replayed from a file afterwards. Output URLs are public but unguessable: they carry an
 * HMAC of the id, as Heroku's build-output URLs carry a random token.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Signer } from './signer.js';

const MAX_LIVE_BYTES = 16 * 1024 * 1024;

interface Live {
  chunks: Buffer[];
  size: number;
  listeners: Set<(chunk: Buffer | null) => void>;
  writes: Promise<void>;
}

export type OutputKind = 'build' | 'release';

export interface OutputStore {
  /** Starts a log; returns its writer. */
  open(kind: OutputKind, id: string): OutputWriter;
  /** Path of a stream URL: `/streams/<kind>/<id>/<sig>`. */
  streamPath(kind: OutputKind, id: string): string;
  verify(id: string, sig: string, kind: OutputKind): boolean;
  /** Whether any output exists (live or on disk). */
  exists(kind: OutputKind, id: string): Promise<boolean>;
  /** Writes the whole log to `res` (chunked text), following it live until it ends. */
  pipe(kind: OutputKind, id: string, res: ServerResponse): Promise<void>;
  /** The full text so far. */
  read(kind: OutputKind, id: string): Promise<string>;
}

export interface OutputWriter {
  write(text: string): void;
  /** Ends the log; resolves once it is on disk. */
  end(): Promise<void>;
}

export function createOutputStore(deps: { dir: string; signer: Signer }): OutputStore {
  const live = new Map<string, Live>();
  const key = (kind: OutputKind, id: string) => `${kind}:${id}`;
  const file = (kind: OutputKind, id: string) => path.join(deps.dir, `${kind}-${id.replace(/[^\w-]/g, '')}.log`);
  const sign = (kind: OutputKind, id: string) => deps.signer.sign(`output-${kind}`, id);

  return {
    open(kind, id) {
      const entry: Live = { chunks: [], size: 0, listeners: new Set(), writes: mkdir(deps.dir, { recursive: true }).then(() => undefined) };
      live.set(key(kind, id), entry);
      return {
        write(text) {
          if (text === '') return;
          const chunk = Buffer.from(text);
          if (entry.size < MAX_LIVE_BYTES) {
            entry.chunks.push(chunk);
            entry.size += chunk.length;
          }
          entry.writes = entry.writes.then(() => appendFile(file(kind, id), chunk)).catch(() => undefined);
          for (const l of entry.listeners) l(chunk);
        },
        async end() {
          await entry.writes;
          live.delete(key(kind, id));
          for (const l of entry.listeners) l(null);
        },
      };
    },
    streamPath: (kind, id) => `/streams/${kind}/${encodeURIComponent(id)}/${sign(kind, id)}`,
    verify: (id, sig, kind) => deps.signer.verify(`output-${kind}`, id, sig),
    async exists(kind, id) {
      if (live.has(key(kind, id))) return true;
      return stat(file(kind, id)).then(() => true, () => false);
    },
    async read(kind, id) {
      const entry = live.get(key(kind, id));
      if (entry) return Buffer.concat(entry.chunks).toString('utf8');
      const chunks: Buffer[] = [];
      try {
        for await (const c of createReadStream(file(kind, id))) chunks.push(c as Buffer);
      } catch {
        return '';
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    async pipe(kind, id, res) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
      const entry = live.get(key(kind, id));
      if (!entry) {
        await new Promise<void>((resolve) => {
          const rs = createReadStream(file(kind, id));
          rs.on('error', () => {
            res.end();
            resolve();
          });
          rs.on('end', resolve);
          rs.pipe(res);
        });
        return;
      }
      for (const c of entry.chunks) res.write(c);
      await new Promise<void>((resolve) => {
        const listener = (chunk: Buffer | null) => {
          if (chunk === null) {
            entry.listeners.delete(listener);
            res.end();
            resolve();
          } else {
            res.write(chunk);
          }
        };
        entry.listeners.add(listener);
        res.on('close', () => {
          entry.listeners.delete(listener);
          resolve();
        });
      });
    },
  };
}
