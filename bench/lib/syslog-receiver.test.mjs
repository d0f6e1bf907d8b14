import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { benchLines } from '../sections/logs.mjs';
import { createScope } from './proc.mjs';
import { eachFrame, startSyslogReceiver } from './syslog-receiver.mjs';

const frame = (msg) => Buffer.concat([Buffer.from(`${Buffer.byteLength(msg)} `), Buffer.from(msg)]);

test('eachFrame returns the complete frames and the offset of a partial one', () => {
  const buf = Buffer.concat([frame('<190>1 - a b c - - one'), frame('<190>1 - a b c - - two'), Buffer.from('22 <190>1 - a')]);
  const got = [];
  const rest = eachFrame(buf, (s, e) => got.push(buf.toString('utf8', s, e)));
  assert.deepEqual(got, ['<190>1 - a b c - - one', '<190>1 - a b c - - two']);
  assert.equal(buf.subarray(rest).toString(), '22 <190>1 - a');
  assert.throws(() => eachFrame(Buffer.from('<190>1 not octet counted\n'), () => undefined), /not an octet-counted frame/);
});

test('benchLines: numbered lines of exactly 100 bytes', () => {
  const lines = benchLines(1234).split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, 1234);
  assert.ok(lines.every((l, i) => Buffer.byteLength(l) === 100 && l.startsWith(`bench-line i=${String(i).padStart(7, '0')} `)));
});

test('the receiver counts bench lines and tail delays across frames split at every byte', async (t) => {
  const scope = createScope();
  t.after(() => scope.close());
  const receiver = await startSyslogReceiver(scope);
  const msgs = benchLines(50).split('\n').filter(Boolean).map((l) => `<190>1 2026-11-23T14:05:42.123456+00:00 app app web.1 - - ${l}`);
  msgs.push(`<190>1 - app app web.1 - - bench-tail i=7 t=${performance.timeOrigin + performance.now() - 5}`);
  const bytes = Buffer.concat(msgs.map(frame));
  const socket = net.connect(receiver.port, '127.0.0.1');
  socket.setNoDelay(true);
  for (let i = 0; i < bytes.length; i += 37) {
    socket.write(bytes.subarray(i, i + 37));
    await new Promise((r) => setImmediate(r));
  }
  const got = await receiver.waitForLines(50, 'test lines', 10_000);
  assert.equal(got.lines, 50);
  assert.equal(got.inOrder, true);
  const deadline = Date.now() + 10_000;
  while (receiver.state.tail.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(receiver.state.tail.get('7') >= 5, 'the tail line\'s delay is arrival − its stamp');
  receiver.reset();
  assert.equal(receiver.state.lines, 0);
  socket.destroy();
});
