/**
 * The `heroku[router]` line (heroku-contract.md B1.4):
 * `at=info method=GET path="/" host=… request_id=… fwd="…" dyno=web.1 connect=1ms service=5ms
 * status=200 bytes=… protocol=http`, with `code=` and `desc=` after `at=` on errors, `sock=` on
 * H18/H27, and the time spent in the router's queue as a trailing `queue=`.
 */
import { ROUTER_CODES, type RouterCode } from './codes.js';

export interface RequestOutcome {
  code?: RouterCode;
  method: string;
  path: string;
  host: string;
  requestId: string;
  fwd: string;
  dyno: string | null;
  connectMs: number | null;
  serviceMs: number | null;
  status: number;
  bytes: number | null;
  protocol: 'http' | 'https';
  queueMs: number;
}

const NEEDS_QUOTING = /[\\"\r\n]/;
const quote = (s: string) => (NEEDS_QUOTING.test(s) ? `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ')}"` : `"${s}"`);
const ms = (n: number | null) => (n === null ? '' : `${Math.round(n)}ms`);
const NEEDS_BARING = /[\s"]/;
const bare = (s: string) => (NEEDS_BARING.test(s) ? s.replace(/[\s"]/g, '') : s);

export function formatRouterLine(o: RequestOutcome): string {
  const info = o.code ? ROUTER_CODES[o.code] : undefined;
  let line = `at=${info?.at ?? 'info'}`;
  if (o.code && info) line += ` code=${o.code} desc=${quote(info.desc)}`;
  line += ` method=${bare(o.method)} path=${quote(o.path)} host=${bare(o.host)} request_id=${bare(o.requestId)} fwd=${quote(o.fwd)}`
    + ` dyno=${o.dyno ?? ''} connect=${ms(o.connectMs)} service=${ms(o.serviceMs)} status=${o.status} bytes=${o.bytes ?? ''} protocol=${o.protocol}`;
  if (info?.sock) line += ` sock=${info.sock}`;
  return `${line} queue=${ms(o.queueMs)}`;
}
