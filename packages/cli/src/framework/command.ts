/**
 * What a command is (heroku/cli style: one command per file with summary, usage, examples with
 * real output, flags and `run`) and what it gets when it runs.
 */
import type { CliEnv } from '../env.js';
import type { ApiClient } from '../api/client.js';

export type FlagType = 'boolean' | 'string' | 'integer';

export interface FlagSpec {
  type: FlagType;
  description: string;
  /** One-letter alias: `-a`. */
  char?: string;
  /** May be given several times; the value is then a string[]. */
  multiple?: boolean;
}

export interface Command {
  summary: string;
  /** Usage after the binary name, e.g. `config:set KEY=VALUE...`. */
  usage: string;
  /** Longer notes shown by `slipway help <command>`. */
  description?: string;
  /** `$ slipway …` lines followed by the output they print. */
  examples: string[];
  flags: Record<string, FlagSpec>;
  /** The command works on an app: adds `-a/--app` and `-r/--remote`. */
  app?: boolean;
  /** Everything after the first positional argument is an argument, never a flag (`run`). */
  passThrough?: boolean;
  /** Other names, e.g. `create` for `apps:create`. */
  aliases?: string[];
  run(ctx: Context): Promise<void>;
}

export type FlagValue = string | number | boolean | string[];

export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** True when stdout is a terminal. */
  isTTY: boolean;
}

export interface Context {
  /** The command's canonical id, e.g. `ps:scale`. */
  id: string;
  args: string[];
  flags: Record<string, FlagValue | undefined>;
  env: CliEnv;
  cwd: string;
  io: Io;
  now(): Date;
  /** Aborted on SIGINT/SIGTERM: long-running commands (logs --tail) end cleanly. */
  signal: AbortSignal;
  /** The API client with the current token (SLIPWAY_API_KEY or ~/.netrc). */
  api: ApiClient;
  /** Makes a client with another token (login verifies a token before saving it). */
  apiWithToken(token: string | undefined): ApiClient;
  /** argv that runs this CLI again (for git's credential helper): `[node, …, bin.js]`. */
  selfCommand: string[];
  /** The current token, if any. */
  token(): Promise<string | undefined>;
  /** The app: `-a`, `SLIPWAY_APP`, or the git remote (`-r` narrows it). */
  app(): Promise<string>;
  str(flag: string): string | undefined;
  bool(flag: string): boolean;
  int(flag: string): number | undefined;
  /** Prints one line (or nothing but a newline) on stdout. */
  out(line?: string): void;
  /** Prints one line on stderr. */
  warn(line: string): void;
  /** Prints a value as indented JSON on stdout. */
  json(value: unknown): void;
  /**
   * Runs `fn` as a Heroku-style action on stderr: `Label... done` (or `done, <what fn returned>`).
   * On failure prints `!` and rethrows.
   */
  action<T>(label: string, fn: () => Promise<T>, done?: (result: T) => string): Promise<T>;
  /** Reads one line from stdin after printing `question` on stderr. */
  prompt(question: string, opts?: { hidden?: boolean }): Promise<string>;
}

export function defineCommand(c: Command): Command {
  return c;
}
