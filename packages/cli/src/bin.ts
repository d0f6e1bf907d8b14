#!/usr/bin/env node
/** The `slipway` executable: wires the real process (argv, env, stdio, signals) to runCli. */
import { readEnv } from './env.js';
import { runCli } from './cli.js';

const controller = new AbortController();
const isServer = process.argv[2] === 'server';
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  // `slipway server` forwards signals to the platform itself; every other command is aborted.
  if (isServer) return;
  interrupts++;
  controller.abort();
  if (interrupts > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), {
  io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, isTTY: Boolean(process.stdout.isTTY) },
  env: readEnv(),
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code;
// Let stdout drain, then make sure nothing left open (a half-read stdin) keeps the process alive.
process.stdout.write('', () => process.exit(code));
