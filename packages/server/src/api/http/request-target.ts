/**
 * The request target, read raw: the API routes on the path exactly as the client sent it. Nothing
 * here resolves dot-segments (`new URL()` would turn `/apps/A/domains/..` into `/apps/A/`, and a
 * DELETE of a domain into a DELETE of the app); a path with a `.` or `..` segment, spelled raw or
 * percent-encoded, or with a backslash that a URL parser would take for a slash, is refused instead.
 */

export interface RequestTarget {
  /** The path as sent (still percent-encoded), without query or fragment. */
  path: string;
  query: URLSearchParams;
  /** The query string as sent, without the `?`. */
  rawQuery: string;
}

/** Splits `req.url` into path and query; the absolute form (`http://host/path`) keeps its path. */
export function parseRequestTarget(raw: string | undefined): RequestTarget {
  let target = raw ?? '/';
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  const path = q >= 0 ? target.slice(0, q) : target;
  const rawQuery = q >= 0 ? target.slice(q + 1) : '';
  return { path, query: new URLSearchParams(rawQuery), rawQuery };
}

/** `.`, `..`, `%2e`, `.%2E`…: a segment a URL parser would resolve. */
export function isDotSegment(segment: string): boolean {
  const s = segment.replace(/%2e/gi, '.');
  return s === '.' || s === '..';
}

/**
 * Whether the path could mean something else once normalised: a dot-segment (raw or encoded), a
 * backslash (WHATWG URL parsers read `\` as `/` in http URLs) or a path that does not start with `/`.
 */
export function isAmbiguousPath(path: string): boolean {
  if (!path.startsWith('/')) return true;
  if (/\\|%5c/i.test(path)) return true;
  return path.split('/').some(isDotSegment);
}
