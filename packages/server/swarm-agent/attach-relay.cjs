/**
 * Slipway's attach relay: PID 1's child in an attached one-off dyno on Swarm (`heroku run bash`).
 * Docker's attach API does not reach a container on another node through the manager, so the dyno
 * dials back: it connects to the swarm driver's attach listener on the control plane
 * (SLIPWAY_ATTACH_ADDR, `host:port`), sends its per-dyno secret line (SLIPWAY_ATTACH_SECRET), then
 * runs the command (SLIPWAY_ATTACH_COMMAND, with `/bin/sh -c`, never interpolated) and pipes the
 * socket to its stdin and its stdout and stderr to the socket, and also to its own stdout and
 * stderr (the app's log). When the command is over it half-closes the socket and exits with the
 * command's status (128 + signal number when killed), which the driver reports as the dyno's exit.
 * SLIPWAY_ATTACH_TTY=1 runs the command on a pseudo-terminal through util-linux `script` when the
 * image has it (without it: plain pipes). The socket lost before the command ends = the client or
 * the control plane went away: the command gets SIGHUP, as from a closed terminal.
 *
 * Self-contained on purpose (Node's built-ins only): the dyno runs it with `node -e` from the
 * release's image (the stack has node), as the node agent runs.
 */
'use strict';
const net = require('node:net');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const os = require('node:os');

const RETRY_MS = 250;
const CONNECT_FOR_MS = 20000;

function splitAddr(addr) {
  const i = String(addr).lastIndexOf(':');
  if (i <= 0) throw new Error(`SLIPWAY_ATTACH_ADDR is not host:port: ${addr}`);
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) };
}

function connect(host, port, deadline) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, allowHalfOpen: true });
    s.once('connect', () => { s.removeAllListeners('error'); resolve(s); });
    s.once('error', (err) => {
      s.destroy();
      if (Date.now() > deadline) reject(err);
      else setTimeout(() => connect(host, port, deadline).then(resolve, reject), RETRY_MS);
    });
  });
}

function findScript() {
  return ['/usr/bin/script', '/bin/script'].find((p) => fs.existsSync(p));
}

/**
 * On a tty, `script` runs this (as the runc driver's RUNC_TTY_COMMAND does): the command from
 * SLIPWAY_TTY_COMMAND (never interpolated) on a pty sized like the client's terminal.
 */
const TTY_WRAPPER = 'c=$SLIPWAY_TTY_COMMAND; unset SLIPWAY_TTY_COMMAND; ' +
  '[ -n "$COLUMNS" ] && [ -n "$LINES" ] && stty cols "$COLUMNS" rows "$LINES" 2>/dev/null; ' +
  'exec /bin/sh -c "$c"';

/** The program that runs the command: `/bin/sh -c`, or `script` around it for a tty. */
function commandArgv(command, tty, script) {
  if (tty && script) return { file: script, args: ['-qfec', TTY_WRAPPER, '/dev/null'], env: { SHELL: '/bin/sh', SLIPWAY_TTY_COMMAND: command } };
  return { file: '/bin/sh', args: ['-c', command], env: {} };
}

async function main() {
  const env = { ...process.env };
  const { host, port } = splitAddr(env.SLIPWAY_ATTACH_ADDR);
  const secret = env.SLIPWAY_ATTACH_SECRET || '';
  const command = env.SLIPWAY_ATTACH_COMMAND || '';
  const tty = env.SLIPWAY_ATTACH_TTY === '1';
  for (const k of ['SLIPWAY_ATTACH_RELAY', 'SLIPWAY_ATTACH_ADDR', 'SLIPWAY_ATTACH_SECRET', 'SLIPWAY_ATTACH_COMMAND', 'SLIPWAY_ATTACH_TTY']) delete env[k];
  let socket;
  try {
    socket = await connect(host, port, Date.now() + CONNECT_FOR_MS);
  } catch (err) {
    process.stderr.write(`Error: this one-off dyno could not reach the control plane at ${host}:${port} to attach (${err.message})\n`);
    process.exit(1);
  }
  socket.setNoDelay(true);
  socket.write(`${secret}\n`);
  const argv = commandArgv(command, tty, tty ? findScript() : undefined);
  const child = spawn(argv.file, argv.args, { env: { ...env, ...argv.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let over = false;
  child.stdin.on('error', () => {});
  socket.on('error', () => {});
  socket.pipe(child.stdin);
  socket.once('close', () => { if (!over) child.kill('SIGHUP'); });
  const relay = (from, to) => from.on('data', (d) => {
    to.write(d);
    if (!socket.destroyed && !socket.write(d)) {
      from.pause();
      socket.once('drain', () => from.resume());
    }
  });
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  // A stop (SIGTERM to every process of the dyno) reaches the command too; the relay waits for it.
  process.on('SIGTERM', () => {});
  process.on('SIGINT', () => {});
  child.once('error', (err) => {
    process.stderr.write(`Error: could not run the command: ${err.message}\n`);
    process.exit(127);
  });
  child.once('close', (code, signal) => {
    over = true;
    const status = signal ? 128 + (os.constants.signals[signal] || 0) : code;
    const done = () => process.exit(status);
    if (socket.destroyed) done();
    else socket.end(done);
    setTimeout(done, 5000).unref();
  });
}

module.exports = { main, commandArgv, splitAddr };
