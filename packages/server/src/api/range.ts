/**
 * Heroku's `Range` pagination, parsed purely. Accepts what the CLIs send:
 * `version ..; max=15, order=desc`, `id ..; max=1000;`, `]name..; max=10` (key omitted: the
 * endpoint's default), `version ]7..; order=desc,max=1`, and an empty header (= no Range).
 * The default page is 200 items, the maximum 1000; `Next-Range` is sent only when more items exist.
 */
import { SlipwayError } from '../errors.js';

export const DEFAULT_PAGE = 200;
export const MAX_PAGE = 1000;

export interface RangeSpec {
  key: string;
  /** Start value (as written), or undefined for "from the beginning". */
  start?: string;
  /** `]start..`: start itself is excluded. */
  startExclusive: boolean;
  end?: string;
  max: number;
  order: 'asc' | 'desc';
}

export interface RangeOptions {
  keys: string[];
  defaultKey?: string;
  defaultOrder?: 'asc' | 'desc';
}

function badRange(header: string, why: string): SlipwayError {
  return new SlipwayError('requested_range_not_satisfiable', `Invalid Range header "${header}": ${why}.`);
}

export function parseRange(header: string | string[] | undefined, opts: RangeOptions): RangeSpec {
  const defaultKey = opts.defaultKey ?? opts.keys[0];
  const spec: RangeSpec = { key: defaultKey, startExclusive: false, max: DEFAULT_PAGE, order: opts.defaultOrder ?? 'asc' };
  const raw = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  if (raw === '' || raw === 'undefined') return spec;
  const semi = raw.search(/[;,]/);
  const head = (semi < 0 ? raw : raw.slice(0, semi)).trim();
  const tail = semi < 0 ? '' : raw.slice(semi + 1);
  const m = /^(?:([A-Za-z_]+)\s+)?(\]?)(.*?)\.\.(.*)$/.exec(head) ?? /^([A-Za-z_]+)()()()$/.exec(head);
  if (!m) throw badRange(raw, 'expected "<key> [start]..[end]; max=N, order=asc|desc"');
  const [, , bracket, , end] = m;
  let key = m[1];
  let start = m[3];
  if (key === undefined && bracket === '' && opts.keys.includes(start.trim())) {
    key = start.trim();
    start = '';
  }
  if (key !== undefined) {
    if (!opts.keys.includes(key)) throw badRange(raw, `sorting by "${key}" is not supported (use ${opts.keys.join(', ')})`);
    spec.key = key;
  }
  spec.startExclusive = bracket === ']';
  if (start.trim() !== '') spec.start = start.trim();
  if (end.trim() !== '') spec.end = end.trim();
  for (const part of tail.split(/[;,]/)) {
    const p = part.trim();
    if (p === '') continue;
    const kv = /^(\w+)\s*=\s*(\S+)$/.exec(p);
    if (!kv) throw badRange(raw, `cannot read "${p}"`);
    const [, name, value] = kv;
    if (name === 'max') {
      if (!/^\d+$/.test(value) || Number(value) < 1) throw badRange(raw, 'max must be a positive integer');
      spec.max = Math.min(Number(value), MAX_PAGE);
    } else if (name === 'order') {
      if (value !== 'asc' && value !== 'desc') throw badRange(raw, 'order must be asc or desc');
      spec.order = value;
    } else {
      throw badRange(raw, `unknown option "${name}"`);
    }
  }
  return spec;
}

export function formatNextRange(spec: RangeSpec, last: string | number): string {
  return `${spec.key} ]${last}..; max=${spec.max}${spec.order === 'desc' ? ', order=desc' : ''}`;
}

export interface PageResult<T> {
  items: T[];
  status: 200 | 206;
  headers: Record<string, string>;
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function coerce(sample: string | number, value: string): string | number {
  return typeof sample === 'number' ? Number(value) : value;
}

/** Sorts, cuts and pages an in-memory list by the spec's key. */
export function paginate<T>(all: T[], spec: RangeSpec, keyOf: (item: T, key: string) => string | number): PageResult<T> {
  const dir = spec.order === 'desc' ? -1 : 1;
  const sorted = [...all].sort((a, b) => dir * compare(keyOf(a, spec.key), keyOf(b, spec.key)));
  const inRange = sorted.filter((item) => {
    const k = keyOf(item, spec.key);
    if (spec.start !== undefined) {
      const c = dir * compare(k, coerce(k, spec.start));
      if (c < 0 || (c === 0 && spec.startExclusive)) return false;
    }
    if (spec.end !== undefined && dir * compare(k, coerce(k, spec.end)) > 0) return false;
    return true;
  });
  const items = inRange.slice(0, spec.max);
  if (inRange.length <= spec.max) return { items, status: 200, headers: {} };
  return { items, status: 206, headers: { 'Next-Range': formatNextRange(spec, keyOf(items[items.length - 1], spec.key)) } };
}
