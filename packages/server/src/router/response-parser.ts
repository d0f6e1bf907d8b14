/**
 * An incremental HTTP/1.1 response parser for the router's dyno connections (RFC 9112): status
 * line, raw header pairs, 1xx interim responses, and the body framed by Content-Length, chunked
 * transfer coding or the end of the connection. Pure: bytes in, callbacks out, no I/O. Body chunks
 * are slices of the input (no copies), so a response streams through without being buffered.
 *
 * Why not node:http's client: per request it builds a ClientRequest, re-attaches a dozen socket
 * listeners and goes through the Agent's bookkeeping; on the router's hot path that was about half
 * of the CPU time. One parser per pooled connection, reset per response, costs a fraction of it.
 */

/** Node's default `--max-http-header-size`: the limit node:http's client applied before. */
export const MAX_RESPONSE_HEAD = 16 * 1024;
const MAX_CHUNK_LINE = 4096;

export interface ResponseHead {
  status: number;
  reason: string;
  /** `[name, value, name, value, …]` as received (names keep their case). */
  rawHeaders: string[];
  /** Minor version: 1 for HTTP/1.1, 0 for HTTP/1.0. */
  minor: number;
}

export interface ResponseHandlers {
  /** An interim 1xx response (100 Continue, 103 Early Hints…; never 101). */
  onInformational(status: number): void;
  /** The final response's head. */
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  /** The whole response arrived; `keepAlive`: the connection may carry another request. */
  onComplete(keepAlive: boolean): void;
  onError(reason: string): void;
}

const enum State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Done, Failed }

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: ([^\r\n]*))?$/;

export class ResponseParser {
  private state = State.Done;
  private head: Buffer | undefined;
  private line = '';
  private remaining = 0;
  private keepAlive = false;
  private bodiless = false;

  constructor(private readonly h: ResponseHandlers) {}

  /** Expects a new response; `headRequest`: the request was HEAD (the response has no body). */
  reset(headRequest: boolean): void {
    this.state = State.Head;
    this.head = undefined;
    this.line = '';
    this.remaining = 0;
    this.keepAlive = false;
    this.bodiless = headRequest;
  }

  /** Whether a response was expected and has not completed (or failed) yet. */
  get pending(): boolean {
    return this.state !== State.Done && this.state !== State.Failed;
  }

  /** Whether a final head was parsed for the current response. */
  get inBody(): boolean {
    return this.state >= State.Body && this.state <= State.UntilClose;
  }

  /** Feeds bytes from the connection. Bytes past the end of the response make it fail. */
  execute(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case State.Head: at = this.parseHead(data, at); break;
        case State.Body: {
          const n = Math.min(this.remaining, data.length - at);
          this.remaining -= n;
          this.emitBody(data, at, at + n);
          if (this.state !== State.Body) return;
          at += n;
          if (this.remaining === 0) this.complete();
          break;
        }
        case State.UntilClose:
          this.emitBody(data, at, data.length);
          at = data.length;
          break;
        case State.ChunkData: {
          const n = Math.min(this.remaining, data.length - at);
          this.remaining -= n;
          this.emitBody(data, at, at + n);
          if (this.state !== State.ChunkData) return;
          at += n;
          if (this.remaining === 0) this.state = State.ChunkDataEnd;
          break;
        }
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers: at = this.parseChunkLine(data, at); break;
        case State.Done: return this.fail('bytes after the end of the response');
        case State.Failed: return;
      }
    }
  }

  /** The connection is being dropped: no more callbacks for the current response. */
  abandon(): void {
    this.state = State.Failed;
  }

  /** The connection ended (FIN); completes a close-delimited body, fails anything else unfinished. */
  finish(): void {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.h.onComplete(false);
    } else if (this.pending) this.fail('connection closed before the end of the response');
  }

  private emitBody(data: Buffer, from: number, to: number): void {
    if (to > from) this.h.onBody(from === 0 && to === data.length ? data : data.subarray(from, to));
  }

  private fail(reason: string): void {
    this.state = State.Failed;
    this.h.onError(reason);
  }

  private complete(): void {
    this.state = State.Done;
    this.h.onComplete(this.keepAlive);
  }

  private parseHead(data: Buffer, at: number): number {
    let buf: Buffer;
    let searchFrom: number;
    if (this.head === undefined) {
      buf = at === 0 ? data : data.subarray(at);
      searchFrom = 0;
    } else {
      searchFrom = Math.max(0, this.head.length - 3);
      buf = Buffer.concat([this.head, data.subarray(at)]);
    }
    const end = buf.indexOf('\r\n\r\n', searchFrom, 'latin1');
    if (end < 0) {
      if (buf.length > MAX_RESPONSE_HEAD) this.fail('response head too large');
      else this.head = Buffer.from(buf);
      return data.length;
    }
    if (end > MAX_RESPONSE_HEAD) {
      this.fail('response head too large');
      return data.length;
    }
    const consumedFromData = end + 4 - (this.head?.length ?? 0);
    this.head = undefined;
    this.onHeadBlock(buf.toString('latin1', 0, end));
    return at + consumedFromData;
  }

  private onHeadBlock(text: string): void {
    const lines = text.split('\r\n');
    const m = STATUS_LINE.exec(lines[0]);
    if (!m) return this.fail('malformed status line');
    const minor = m[1] === '1' ? 1 : 0;
    const status = Number(m[2]);
    const rawHeaders: string[] = [];
    let contentLength = -1;
    let chunked = false;
    let transferEncoding = false;
    let close = minor === 0;
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i];
      const c0 = l.charCodeAt(0);
      if (c0 === 32 || c0 === 9) {
        // obs-fold (RFC 9112 §5.2): a proxy replaces it with a space.
        if (rawHeaders.length === 0) return this.fail('malformed header');
        rawHeaders[rawHeaders.length - 1] += ' ' + l.trim();
        continue;
      }
      const colon = l.indexOf(':');
      if (colon <= 0) return this.fail('malformed header');
      const name = l.slice(0, colon);
      if (!TOKEN.test(name)) return this.fail('malformed header name');
      const value = l.slice(colon + 1).trim();
      rawHeaders.push(name, value);
      if (name.length === 14 && name.toLowerCase() === 'content-length') {
        if (contentLength !== -1 || !/^\d{1,15}$/.test(value)) return this.fail('bad Content-Length');
        contentLength = Number(value);
      } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
        transferEncoding = true;
        const codings = value.toLowerCase().split(',');
        chunked = codings[codings.length - 1].trim() === 'chunked';
      } else if (name.length === 10 && name.toLowerCase() === 'connection') {
        const tokens = value.toLowerCase();
        if (/(^|[\s,])close($|[\s,])/.test(tokens)) close = true;
        else if (minor === 0 && /(^|[\s,])keep-alive($|[\s,])/.test(tokens)) close = false;
      }
    }
    if (status < 200) {
      if (status === 101) return this.fail('unexpected 101 Switching Protocols');
      this.h.onInformational(status);
      return; // stay in State.Head: the final response follows
    }
    if (transferEncoding && contentLength !== -1) return this.fail('both Transfer-Encoding and Content-Length');
    this.keepAlive = !close;
    this.state = State.Body;
    this.h.onHead({ status, reason: m[3] ?? '', rawHeaders, minor });
    if (this.state !== State.Body) return; // a handler gave up on the response
    if (this.bodiless || status === 204 || status === 304) return this.complete();
    if (transferEncoding) {
      if (chunked) this.state = State.ChunkSize;
      else {
        this.keepAlive = false;
        this.state = State.UntilClose;
      }
      return;
    }
    if (contentLength >= 0) {
      this.remaining = contentLength;
      if (contentLength === 0) this.complete();
      return;
    }
    this.keepAlive = false;
    this.state = State.UntilClose;
  }

  /** Chunk-size lines, the CRLF after chunk data, and trailer lines: line-oriented states. */
  private parseChunkLine(data: Buffer, at: number): number {
    const nl = data.indexOf(10, at);
    if (nl < 0) {
      this.line += data.toString('latin1', at);
      if (this.line.length > MAX_CHUNK_LINE) this.fail('chunk line too long');
      return data.length;
    }
    let line = this.line + data.toString('latin1', at, nl);
    this.line = '';
    if (line.length > MAX_CHUNK_LINE) {
      this.fail('chunk line too long');
      return data.length;
    }
    if (!line.endsWith('\r')) {
      this.fail('bare LF in chunked body');
      return data.length;
    }
    line = line.slice(0, -1);
    if (this.state === State.ChunkDataEnd) {
      if (line !== '') this.fail('missing CRLF after chunk data');
      else this.state = State.ChunkSize;
    } else if (this.state === State.ChunkSize) {
      const semi = line.indexOf(';');
      const hex = (semi >= 0 ? line.slice(0, semi) : line).trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) {
        this.fail('bad chunk size');
        return data.length;
      }
      const size = parseInt(hex, 16);
      if (size === 0) this.state = State.Trailers;
      else {
        this.remaining = size;
        this.state = State.ChunkData;
      }
    } else if (line === '') this.complete(); // the empty line after the (ignored) trailers
    return nl + 1;
  }
}
