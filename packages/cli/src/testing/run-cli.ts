/** Runs the real CLI in-process for tests, capturing stdout, stderr and the exit code. */
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../cli.js';
import type { CliEnv } from '../env.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  apiUrl: string;
  apiKey?: string;
  /** Default: a directory that does not exist (so there is no ~/.netrc). */
  home?: string;
  cwd?: string;
  app?: string;
  stdin?: string;
  now?: Date;
  signal?: AbortSignal;
  selfCommand?: string[];
}

export async function runCommand(argv: string[], opts: RunCliOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const env: CliEnv = {
    apiUrl: opts.apiUrl,
    apiKey: 'apiKey' in opts ? opts.apiKey : 'test-token-123',
    home: opts.home ?? path.join(os.tmpdir(), 'slipway-cli-test-no-home'),
    app: opts.app,
  };
  const code = await runCli(argv, {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
      isTTY: false,
    },
    env,
    cwd: opts.cwd ?? os.tmpdir(),
    now: opts.now ? () => opts.now! : undefined,
    signal: opts.signal,
    selfCommand: opts.selfCommand,
  });
  return { code, stdout, stderr };
}
