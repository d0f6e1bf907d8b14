/**
 * Attached one-off dynos under runc (`heroku run bash`). conmon's attach socket is SOCK_SEQPACKET,
 * which Node cannot open, so these containers run without conmon: `runc run` in the foreground as
 * a direct child of the manager, its stdio piped (the container's stdio is runc's, passed through).
 * Output goes both to the app's log (line by line) and, raw, to whoever attaches; stdin stays open.
 * A pty, when asked for, is util-linux `script` inside the container (host /usr is the stack).
 *
 * Trade-off: such a dyno cannot outlive the manager (its stdio dies with it); a restarted manager
 * finds it through its meta (`attached: true`), kills it and reports it gone, as Heroku ends a
 * one-off whose client went away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { Runc } from '../isolation/index.js';
import type { AttachedIo, DynoEvents, DynoSpec } from './driver.js';
import { createLineSplitter } from './lines.js';

/**
 * PID 1's command for a tty one-off: the dyno init has already sourced the profile; this puts the
 * user's command (from SLIPWAY_TTY_COMMAND, never interpolated) on a pty sized like the client's.
 */
export const RUNC_TTY_COMMAND =
  "exec script -qfec 'c=$SLIPWAY_TTY_COMMAND; unset SLIPWAY_TTY_COMMAND; " +
  '[ -n "$COLUMNS" ] && [ -n "$LINES" ] && stty cols "$COLUMNS" rows "$LINES" 2>/dev/null; ' +
  `exec /bin/sh -c "$c"' /dev/null`;

/** The spec the bundle is written from: tty one-offs run their command through `script`. */
export function attachedSpec(spec: DynoSpec): DynoSpec {
  if (!spec.tty) return spec;
  return { ...spec, command: RUNC_TTY_COMMAND, env: { ...spec.env, SHELL: '/bin/sh', SLIPWAY_TTY_COMMAND: spec.command } };
}

export interface Foreground {
  child: ChildProcess;
  io: AttachedIo;
  /** `runc run`'s exit code (the container's status), once its output is drained. */
  exited: Promise<number | null>;
}

/** Runs the bundle's container in the foreground; resolves once runc is spawned. */
export async function runForeground(runc: Runc, id: string, bundle: string, events: () => DynoEvents): Promise<Foreground> {
  const child = spawn(runc.binary, [...runc.globalArgs, 'run', '--bundle', bundle, id], { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const output = new PassThrough();
  child.stdin?.on('error', () => {});
  const out = createLineSplitter((l) => events().onLine('stdout', l));
  const err = createLineSplitter((l) => events().onLine('stderr', l));
  child.stdout?.on('data', (d: Buffer) => {
    out.push(d);
    output.write(d);
  });
  child.stderr?.on('data', (d: Buffer) => {
    err.push(d);
    output.write(d);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code, signal) => {
      out.end();
      err.end();
      output.end();
      resolve(signal ? null : code);
    });
  });
  return { child, io: { stdin: child.stdin!, output }, exited };
}
