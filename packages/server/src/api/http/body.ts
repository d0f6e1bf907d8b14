/**
 * Request bodies of API routes: JSON read with a size cap, and what is left of a body the route
 * did not read (an early error, a body over the cap) drained before the answer, within bounds, so a
 * client that writes its whole body before reading (most do, `Connection: close` ones too) sees the
 * 413 or 404 instead of a reset connection.
 */
import type http from 'node:http';
import { InvalidParamsError, SlipwayError } from '../../errors.js';

export const MAX_JSON_BODY = 1024 * 1024;
/** Most of an unread body drained before answering; past this the answer closes the connection. */
export const MAX_DRAIN_BYTES = 16 * 1024 * 1024;
/** Longest wait for the rest of an unread body before answering anyway. */
export const MAX_DRAIN_MS = 5_000;

/** The client went away before its body was complete: nobody to answer. */
export class ClientGoneError extends Error {
  constructor(readonly received: number) {
    super('client disconnected before the request body was complete');
    this.name = 'ClientGoneError';
  }
}

function tooLarge(max: number): SlipwayError {
  return new SlipwayError('payload_too_large', `Request body is larger than ${max} bytes.`);
}

/** Reads and parses a JSON body (empty → {}); a body over MAX_JSON_BODY is a 413, left to drain. */
export async function readJson(req: http.IncomingMessage): Promise<unknown> {
  return parseJson(req, (await readBody(req, MAX_JSON_BODY)).toString('utf8').trim());
}

/** Reads a body's bytes as sent (webhook signatures cover them exactly); over `max` is a 413, left to drain. */
export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.reject(tooLarge(max));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.reject(new ClientGoneError(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(tooLarge(max));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onGone = (): void => {
      cleanup();
      reject(new ClientGoneError(size));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onGone);
    req.once('close', onGone);
  });
}

function parseJson(req: http.IncomingMessage, text: string): unknown {
  if (text === '') return {};
  const type = String(req.headers['content-type'] ?? '');
  if (type !== '' && !/json/i.test(type)) throw new SlipwayError('unsupported_media_type', `Expected a JSON body, got Content-Type "${type}".`);
  let proto = false;
  let value: unknown;
  try {
    // A `__proto__` key is an own property after JSON.parse, but any object spread or zod record
    // built from it drops it silently (or swaps a prototype): refused, whatever the route.
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') proto = true;
      return v;
    });
  } catch {
    throw new SlipwayError('bad_request', 'Request body is not valid JSON.');
  }
  if (proto) throw new InvalidParamsError('"__proto__" is not allowed as a key.', '__proto__');
  return value;
}

/**
 * Before answering: reads and discards what is left of the body, up to MAX_DRAIN_BYTES or
 * MAX_DRAIN_MS. 'drained': the connection can stay open; 'gave-up': answer with
 * `Connection: close`; 'gone': the client left.
 */
export function drainBody(req: http.IncomingMessage): Promise<'drained' | 'gave-up' | 'gone'> {
  if (req.complete) {
    req.resume();
    return Promise.resolve('drained');
  }
  if (req.destroyed) return Promise.resolve('gone');
  return new Promise((resolve) => {
    let size = 0;
    const finish = (how: 'drained' | 'gave-up' | 'gone'): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (how === 'gave-up') req.pause();
      resolve(how);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) finish('gave-up');
    };
    const onEnd = (): void => finish('drained');
    const onClose = (): void => finish(req.complete ? 'drained' : 'gone');
    const timer = setTimeout(() => finish('gave-up'), MAX_DRAIN_MS);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.resume();
  });
}
