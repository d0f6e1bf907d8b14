/** `config:set` arguments: `KEY=VALUE`, split at the first `=` (values may contain `=`). */
import { CliError } from '../framework/errors.js';

export function parseConfigPairs(args: readonly string[]): Record<string, string> {
  if (args.length === 0) throw new CliError('Usage: slipway config:set KEY1=VALUE1 [KEY2=VALUE2 ...]. Must specify KEY and VALUE to set.');
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new CliError(`${arg} is invalid. Must be in the format FOO=bar.`);
    out[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return out;
}
