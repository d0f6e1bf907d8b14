import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { createScope } from './proc.mjs';
import { findRsyslogd, startRsyslogRelay } from './rsyslog.mjs';
import { startSyslogReceiver } from './syslog-receiver.mjs';

const frame = (msg) => Buffer.concat([Buffer.from(`${Buffer.byteLength(msg)} `), Buffer.from(msg)]);

test('a real rsyslogd relays octet-counted RFC 5424 frames from imtcp to the receiver, in order', async (t) => {
  const bin = findRsyslogd();
  if (!bin) return t.skip('rsyslogd is not installed (Debian package rsyslog)');
  const scope = createScope();
  t.after(() => scope.close());
  const receiver = await startSyslogReceiver(scope);
  const relay = await startRsyslogRelay(scope, { bin, targetPort: receiver.port });
  const socket = net.connect(relay.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write(Buffer.concat(Array.from({ length: 300 }, (_, i) => frame(`<190>1 2026-11-23T14:05:42.123456+00:00 bench-app app web.1 - - bench-line i=${i} ünïcode`))));
  const got = await receiver.waitForLines(300, `the relay (rsyslogd said: ${relay.output()})`, 30_000);
  assert.equal(got.lines, 300);
  assert.equal(got.inOrder, true);
  assert.deepEqual(receiver.state.errors, []);
  socket.destroy();
});
