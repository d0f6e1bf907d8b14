/**
 * A minimal ustar writer: enough to craft tarballs in tests (including hostile ones) and to build
 * small archives without shelling out. Not used for slugs (those use the system tar).
 */
import { gzipSync } from 'node:zlib';

export interface TarEntrySpec {
  name: string;
  /** '0' file (default), '2' symlink, '1' hard link, '3' char device, '4' block device, '5' dir, '6' fifo. */
  type?: string;
  body?: string | Buffer;
  linkname?: string;
  mode?: number;
  /** Declared size, when it must differ from the body (size-bomb headers). */
  size?: number;
}

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function octalField(buf: Buffer, offset: number, length: number, n: number): void {
  field(buf, offset, length, n.toString(8).padStart(length - 1, '0') + '\0');
}

export function tarHeader(e: TarEntrySpec, size: number): Buffer {
  const h = Buffer.alloc(512);
  field(h, 0, 100, e.name);
  octalField(h, 100, 8, e.mode ?? (e.type === '5' ? 0o755 : 0o644));
  octalField(h, 108, 8, 0);
  octalField(h, 116, 8, 0);
  octalField(h, 124, 12, size);
  octalField(h, 136, 12, 0);
  h.fill(32, 148, 156);
  h[156] = (e.type ?? '0').charCodeAt(0);
  field(h, 157, 100, e.linkname ?? '');
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

export function makeTar(entries: TarEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : e.body ?? Buffer.alloc(0);
    parts.push(tarHeader(e, e.size ?? body.length));
    if (body.length > 0) {
      parts.push(body);
      const rem = body.length % 512;
      if (rem) parts.push(Buffer.alloc(512 - rem));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function makeTarGz(entries: TarEntrySpec[]): Buffer {
  return gzipSync(makeTar(entries));
}
