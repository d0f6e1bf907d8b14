/**
 * Argument parsing: `--flag value`, `--flag=value`, `-f value`, `-fvalue`, `--` ends flags.
 * Pure: argv in, `{ args, flags }` out, UsageError on anything unknown or malformed.
 */
import type { Command, FlagSpec, FlagValue } from './command.js';
import { UsageError } from './errors.js';

export const APP_FLAGS: Record<string, FlagSpec> = {
  app: { type: 'string', char: 'a', description: 'app to run command against' },
  remote: { type: 'string', char: 'r', description: 'git remote of app to use' },
};

export const HELP_FLAG: FlagSpec = { type: 'boolean', char: 'h', description: 'show help for this command' };

/** Every flag a command accepts, including `-a/-r` for app commands and `-h/--help`. */
export function allFlags(command: Pick<Command, 'flags' | 'app'>): Record<string, FlagSpec> {
  return { ...(command.app ? APP_FLAGS : {}), ...command.flags, help: HELP_FLAG };
}

export interface Parsed {
  args: string[];
  flags: Record<string, FlagValue | undefined>;
}

export function parseArgv(argv: readonly string[], command: Pick<Command, 'flags' | 'app' | 'passThrough'>): Parsed {
  const specs = allFlags(command);
  const byChar = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.char) byChar.set(spec.char, name);
  const args: string[] = [];
  const flags: Record<string, FlagValue | undefined> = {};

  const set = (name: string, spec: FlagSpec, raw: string | undefined, shown: string) => {
    let value: FlagValue;
    if (spec.type === 'boolean') {
      if (raw !== undefined) throw new UsageError(`Flag ${shown} does not take a value.`);
      value = true;
    } else {
      if (raw === undefined) throw new UsageError(`Flag ${shown} expects a value.`);
      if (spec.type === 'integer') {
        if (!/^-?\d+$/.test(raw)) throw new UsageError(`Flag ${shown} expects an integer, got "${raw}".`);
        value = Number(raw);
      } else value = raw;
    }
    if (spec.multiple) flags[name] = [...((flags[name] as string[] | undefined) ?? []), String(value)];
    else flags[name] = value;
  };

  let i = 0;
  let onlyArgs = false;
  while (i < argv.length) {
    const token = argv[i++];
    if (onlyArgs || token === '-' || !token.startsWith('-') || /^-\d/.test(token)) {
      args.push(token);
      if (command.passThrough) onlyArgs = true;
      continue;
    }
    if (token === '--') {
      onlyArgs = true;
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    let shown: string;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      inline = eq === -1 ? undefined : token.slice(eq + 1);
      shown = `--${name}`;
      if (!specs[name]) throw new UsageError(`Unexpected flag ${shown}. See \`slipway help\` for the flags of this command.`);
    } else {
      const char = token[1];
      shown = `-${char}`;
      name = byChar.get(char);
      if (!name) throw new UsageError(`Unexpected flag ${shown}. See \`slipway help\` for the flags of this command.`);
      if (token.length > 2) inline = token.slice(2).replace(/^=/, '');
    }
    const spec = specs[name];
    if (spec.type !== 'boolean' && inline === undefined) {
      if (i >= argv.length) throw new UsageError(`Flag ${shown} expects a value.`);
      inline = argv[i++];
    }
    set(name, spec, inline, shown);
  }
  return { args, flags };
}
