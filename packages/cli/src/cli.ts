/**
 * Runs one command line: finds the command in the registry, parses its flags, builds its context
 * and turns errors into one line `Error: <message>` on stderr plus an exit code.
 */
import type { CliEnv } from './env.js';
import { apiHost } from './env.js';
import { createApiClient, type Fetch } from './api/client.js';
import { readNetrcEntry } from './auth/netrc.js';
import type { Command, Context, Io } from './framework/command.js';
import { CliError, UsageError } from './framework/errors.js';
import { commandHelp, indexHelp } from './framework/help.js';
import { parseArgv } from './framework/parse.js';
import { createPrompter } from './framework/prompt.js';
import { listRemotes, pickAppFromRemotes } from './git/remotes.js';
import { COMMANDS, findCommand } from './registry.js';

export const VERSION = '0.1.0';

export interface RunOptions {
  io: Io;
  env: CliEnv;
  cwd: string;
  fetch?: Fetch;
  now?: () => Date;
  signal?: AbortSignal;
  /** argv that runs this CLI again; default: this process's node, its flags and script. */
  selfCommand?: string[];
}

/** Runs `argv` (without the binary name) and resolves to the exit code. */
export async function runCli(argv: readonly string[], opts: RunOptions): Promise<number> {
  const { io } = opts;
  const print = (lines: string[]) => io.stdout.write(lines.map((l) => `${l}\n`).join(''));
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
      print(indexHelp(COMMANDS));
      return 0;
    }
    if (first === '--version' || first === '-v' || first === 'version') {
      print([`slipway/${VERSION} node-${process.version}`]);
      return 0;
    }
    if (first === 'help') {
      const found = findCommand(rest[0]);
      if (!found) throw new UsageError(`${rest[0]} is not a slipway command. See \`slipway help\`.`);
      print(commandHelp(found.id, found.command));
      return 0;
    }
    const found = findCommand(first);
    if (!found) throw new UsageError(`${first} is not a slipway command. See \`slipway help\`.`);
    const parsed = parseArgv(rest, found.command);
    if (parsed.flags.help) {
      print(commandHelp(found.id, found.command));
      return 0;
    }
    const ctx = createContext(found.id, found.command, parsed, opts);
    try {
      await found.command.run(ctx);
    } finally {
      ctx.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`Error: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    io.stderr.write(`Error: ${e?.message ?? String(err)}\n`);
    if (opts.env.debug && e?.stack) io.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

function createContext(id: string, command: Command, parsed: ReturnType<typeof parseArgv>, opts: RunOptions): Context & { close(): void } {
  const { io, env } = opts;
  const now = opts.now ?? (() => new Date());
  const host = apiHost(env);
  let tokenPromise: Promise<string | undefined> | undefined;
  const token = () => (tokenPromise ??= env.apiKey ? Promise.resolve(env.apiKey) : readNetrcEntry(env.home, host).then((e) => e?.password));
  const apiWithToken = (t: string | undefined | (() => Promise<string | undefined>)) => createApiClient({ baseUrl: env.apiUrl, token: t, fetch: opts.fetch, userAgent: `slipway-cli/${VERSION} node-${process.version}` });
  const prompter = createPrompter(io);
  let appPromise: Promise<string> | undefined;
  const flags = parsed.flags;
  const ctx: Context & { close(): void } = {
    id,
    args: parsed.args,
    flags,
    env,
    cwd: opts.cwd,
    io,
    now,
    signal: opts.signal ?? new AbortController().signal,
    api: apiWithToken(token),
    apiWithToken: (t) => apiWithToken(t),
    selfCommand: opts.selfCommand ?? defaultSelfCommand(),
    token,
    app: () => (appPromise ??= resolveApp()),
    str: (name) => (flags[name] === undefined ? undefined : String(flags[name])),
    bool: (name) => flags[name] === true,
    int: (name) => (typeof flags[name] === 'number' ? (flags[name] as number) : undefined),
    out: (line = '') => void io.stdout.write(`${line}\n`),
    warn: (line) => void io.stderr.write(`${line}\n`),
    json: (value) => void io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    async action(label, fn, done) {
      io.stderr.write(`${label}... `);
      let result;
      try {
        result = await fn();
      } catch (err) {
        io.stderr.write('!\n');
        throw err;
      }
      io.stderr.write(`${done ? done(result) : 'done'}\n`);
      return result;
    },
    prompt: (q, o) => prompter.ask(q, o),
    close: () => prompter.close(),
  };

  async function resolveApp(): Promise<string> {
    const given = ctx.str('app');
    if (given) return given;
    const remote = ctx.str('remote');
    if (!remote && env.app) return env.app;
    return pickAppFromRemotes(await listRemotes(opts.cwd), { apiHost: host, remote });
  }
  return ctx;
}

function defaultSelfCommand(): string[] {
  const execArgv: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i];
    if ((a === '--import' || a === '--loader' || a === '--require') && i + 1 < process.execArgv.length) {
      execArgv.push(a, absoluteSpecifier(process.execArgv[++i]));
    } else if (/^--(import|loader|require)=/.test(a)) {
      const eq = a.indexOf('=');
      execArgv.push(a.slice(0, eq), absoluteSpecifier(a.slice(eq + 1)));
    }
  }
  return [process.execPath, ...execArgv, process.argv[1]];
}

/** `tsx` → its file URL, so the command also works from another directory. */
function absoluteSpecifier(spec: string): string {
  if (/^(file:|\/|\.)/.test(spec)) return spec;
  try {
    return import.meta.resolve(spec);
  } catch {
    return spec;
  }
}
