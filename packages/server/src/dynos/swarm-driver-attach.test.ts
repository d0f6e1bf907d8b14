/**
 * The attach listener and the attach relay together, without Docker: the relay runs as a real
 * `node -e` process (as in a dyno) and dials the real listener on loopback. The swarm contract run
 * (swarm-driver.test.ts, `attach` case) covers the same path through a real Swarm service.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { silentLogger } from '../log/index.js';
import { attachRelaySource, createAttachListener } from './swarm-driver-attach.js';

function runRelay(env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['-e', `${attachRelaySource()}\nmodule.exports.main();`], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout })));
}

async function collect(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += Buffer.isBuffer(c) ? c.toString() : String(c);
  return out;
}

describe('swarm attach listener and relay', () => {
  const listener = createAttachListener({ listenHost: '127.0.0.1', port: 0, logger: silentLogger, handshakeTimeoutMs: 2_000 });
  after(() => listener.close());

  it('carries stdin to the command and its stdout and stderr back, and exits with its status', async () => {
    const s = await listener.open('dyno-a');
    s.io.stdin.write('hello\n'); // before the relay has connected: it waits
    s.io.stdin.end();
    const [relay, output] = await Promise.all([
      runRelay({ SLIPWAY_ATTACH_ADDR: s.addr, SLIPWAY_ATTACH_SECRET: s.secret, SLIPWAY_ATTACH_COMMAND: 'read l; echo "got $l"; echo "err $SLIPWAY_ATTACH_SECRET." 1>&2; exit 3' }),
      collect(s.io.output),
    ]);
    assert.equal(relay.code, 3, 'the relay exits with the command\'s status');
    assert.match(output, /got hello\n/);
    assert.match(output, /err \.\n/, 'stderr is relayed too, and the command does not see the secret');
    assert.match(relay.stdout, /got hello/, 'the output also goes to the dyno\'s own stdout (the app\'s log)');
  });

  it('refuses a wrong secret, and a secret twice', async () => {
    const s = await listener.open('dyno-b');
    const refused = await new Promise<boolean>((resolve) => {
      const c = net.connect(Number(s.addr.split(':')[1]), '127.0.0.1', () => c.write('not-the-secret\n'));
      c.on('error', () => {});
      c.once('close', () => resolve(true));
    });
    assert.ok(refused);
    s.io.stdin.end();
    const out = collect(s.io.output);
    const first = await runRelay({ SLIPWAY_ATTACH_ADDR: s.addr, SLIPWAY_ATTACH_SECRET: s.secret, SLIPWAY_ATTACH_COMMAND: 'echo once' });
    assert.equal(first.code, 0);
    assert.equal(await out, 'once\n');
    const again = await runRelay({ SLIPWAY_ATTACH_ADDR: s.addr, SLIPWAY_ATTACH_SECRET: s.secret, SLIPWAY_ATTACH_COMMAND: 'sleep 2; echo twice' });
    assert.notEqual(again.code, 0, 'a used secret is refused: the command is hung up on');
    assert.doesNotMatch(again.stdout, /twice/);
  });

  it('ends the output of a dyno whose relay never connected when it is dropped', async () => {
    const s = await listener.open('dyno-c');
    const out = collect(s.io.output);
    listener.drop('dyno-c');
    assert.equal(await out, '');
    assert.equal(listener.io('dyno-c'), undefined);
  });

  const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
  it('runs the command on a pseudo-terminal with SLIPWAY_ATTACH_TTY=1', { skip: hasScript ? undefined : 'util-linux script is not installed' }, async () => {
    const s = await listener.open('dyno-d');
    s.io.stdin.end();
    const [relay, output] = await Promise.all([
      runRelay({ SLIPWAY_ATTACH_ADDR: s.addr, SLIPWAY_ATTACH_SECRET: s.secret, SLIPWAY_ATTACH_TTY: '1', COLUMNS: '97', LINES: '31', SLIPWAY_ATTACH_COMMAND: '[ -t 1 ] && echo on-a-tty || echo no-tty; stty size' }),
      collect(s.io.output),
    ]);
    assert.equal(relay.code, 0);
    assert.match(output, /on-a-tty/);
    assert.match(output, /31 97/, 'the pty has the client\'s size');
  });
});
