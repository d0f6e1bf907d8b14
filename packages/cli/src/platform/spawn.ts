/**
 * `slipway server`: runs the platform (`@slipway/server/main`) as a child process with inherited
 * stdio, forwards SIGINT/SIGTERM to it and resolves to its exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from '../framework/errors.js';

/**
 * Node arguments that start the platform: the built `dist/src/main.js`, or, in a source checkout
 * without a build, `src/main.ts` through tsx.
 */
export function platformNodeArgs(resolve: (specifier: string) => string = (s) => import.meta.resolve(s), entryPoint = '@slipway/server/main'): string[] {
  let entry: string;
  try {
    entry = fileURLToPath(resolve(entryPoint));
  } catch (err) {
    throw new CliError(`Cannot find the Slipway platform (@slipway/server): ${(err as Error).message}`);
  }
  if (existsSync(entry)) return [entry];
  const source = entry.replace(/[\\/]dist[\\/]src[\\/](.*)\.js$/, '/src/$1.ts');
  if (source !== entry && existsSync(source)) {
    let tsx: string;
    try {
      tsx = resolve('tsx');
    } catch {
      throw new CliError(`The platform is not built (${entry} is missing). Run \`npm run build\` first.`);
    }
    return ['--import', tsx, source];
  }
  throw new CliError(`The platform is not built (${entry} is missing). Run \`npm run build\` first.`);
}

export interface RunChildOptions {
  execPath: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The process whose signals are forwarded (default: this one). */
  signals?: Pick<NodeJS.Process, 'on' | 'removeListener'>;
  stdio?: 'inherit' | 'pipe' | 'ignore';
  onSpawn?: (pid: number) => void;
}

/** Runs the child to completion, forwarding SIGINT/SIGTERM; resolves to its exit code (128+n for a signal). */
export function runChild(opts: RunChildOptions): Promise<number> {
  const signals = opts.signals ?? process;
  return new Promise((resolve, reject) => {
    const child = spawn(opts.execPath, opts.args, { stdio: opts.stdio ?? 'inherit', env: opts.env });
    const forward = (sig: NodeJS.Signals) => () => {
      child.kill(sig);
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    signals.on('SIGINT', onInt);
    signals.on('SIGTERM', onTerm);
    const cleanup = () => {
      signals.removeListener('SIGINT', onInt);
      signals.removeListener('SIGTERM', onTerm);
    };
    child.on('spawn', () => child.pid !== undefined && opts.onSpawn?.(child.pid));
    child.on('error', (err) => {
      cleanup();
      reject(new CliError(`Could not start the platform: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      const n = signal ? 128 + (signalNumber(signal) ?? 0) : (code ?? 1);
      resolve(n);
    });
  });
}

function signalNumber(sig: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[sig];
}
