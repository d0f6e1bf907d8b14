/** `ps:scale` arguments: `web=2`, `worker+1`, `web-1`, `web=1:standard-2x` (heroku-contract.md A9). */
import { UsageError } from '../framework/errors.js';

export interface FormationUpdate {
  type: string;
  /** A JSON string, as the heroku CLI sends it: `"2"`, `"+1"`, `"-1"`. */
  quantity: string;
  size?: string;
}

const SCALE_ARG = /^([\w-]+)([=+-]\d+)(?::([\w-]+))?$/;

export function parseScaleArgs(args: readonly string[]): FormationUpdate[] {
  return args.map((arg) => {
    const m = SCALE_ARG.exec(arg);
    if (!m) throw new UsageError(`Invalid argument "${arg}": use TYPE=QUANTITY[:SIZE], TYPE+N or TYPE-N (e.g. web=2 worker+1 web=1:standard-2x).`);
    const quantity = m[2].startsWith('=') ? m[2].slice(1) : m[2];
    return m[3] ? { type: m[1], quantity, size: m[3] } : { type: m[1], quantity };
  });
}

/** `type=size` pairs for `ps:type web=standard-2x worker=basic`. */
export function parseTypeSizeArgs(args: readonly string[]): { type: string; size: string }[] {
  return args.map((arg) => {
    const m = /^([\w-]+)=([\w-]+)$/.exec(arg);
    if (!m) throw new UsageError(`Invalid argument "${arg}": use TYPE=SIZE (e.g. web=standard-2x) or a single SIZE.`);
    return { type: m[1], size: m[2] };
  });
}
