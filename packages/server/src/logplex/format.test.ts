import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterFrom, formatLine, matchesFilter, parseMicros, rfc5424Micros, rfc5424Seconds, splitMessage } from './format.js';
import { newBucket, take, takeDropReport } from './rate-limit.js';
import { Ring } from './ring.js';
import { frameEntry, parseOctetFrames, priority, syslogMessage } from './syslog-frame.js';

test('timestamps are RFC 5424 with microseconds, as Heroku prints them', () => {
  const micros = Date.UTC(2026, 10, 23, 14, 5, 42, 123) * 1000 + 456;
  assert.equal(rfc5424Micros(micros), '2026-11-23T14:05:42.123456+00:00');
  assert.equal(parseMicros('2026-11-23T14:05:42.123456+00:00'), micros);
  assert.equal(rfc5424Seconds(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 999))), '2026-01-02T03:04:05+00:00');
  assert.equal(formatLine('2026-11-23T14:05:42.123456+00:00', { source: 'app', dyno: 'web.1', message: 'Listening on 5000' }),
    '2026-11-23T14:05:42.123456+00:00 app[web.1]: Listening on 5000');
});

test('lines over 10,000 bytes are split into chunks of at most 10,000 bytes, on character boundaries', () => {
  assert.deepEqual(splitMessage('short'), ['short']);
  const long = 'a'.repeat(25_000);
  assert.deepEqual(splitMessage(long).map((s) => s.length), [10_000, 10_000, 5_000]);
  const euro = '€'.repeat(4000); // 3 bytes each: 12,000 bytes
  const parts = splitMessage(euro);
  assert.equal(parts.join(''), euro);
  assert.ok(parts.every((p) => Buffer.byteLength(p) <= 10_000 && !p.includes('\ufffd')));
  assert.deepEqual(splitMessage('one\ntwo\r\nthree\n'), ['one', 'two', 'three']);
  assert.deepEqual(splitMessage(''), ['']);
});

test('filters: source app|heroku, dyno web matches web.N, web.1 only itself', () => {
  const web1 = { source: 'app' as const, dyno: 'web.1' };
  const router = { source: 'heroku' as const, dyno: 'router' };
  assert.ok(matchesFilter(web1, {}));
  assert.ok(matchesFilter(web1, { source: 'app' }));
  assert.ok(!matchesFilter(router, { source: 'app' }));
  assert.ok(matchesFilter(web1, { dyno: 'web' }));
  assert.ok(matchesFilter(web1, { dyno: 'web.1' }));
  assert.ok(!matchesFilter({ source: 'app', dyno: 'web.12' }, { dyno: 'web.1' }));
  assert.ok(!matchesFilter({ source: 'app', dyno: 'webhook.1' }, { dyno: 'web' }));
  assert.ok(matchesFilter(router, { source: 'heroku', dyno: 'router' }));
  assert.deepEqual(filterFrom({ source: 'app', dyno: 'web.1' }), { source: 'app', dyno: 'web.1' });
  assert.deepEqual(filterFrom({ dyno_name: 'worker.2' }), { dyno: 'worker.2' });
  assert.deepEqual(filterFrom({ source: 'nope' }), {});
});

test('syslog frames: octet-counted RFC 5424, host = app, app-name = source, procid = dyno', () => {
  const entry = { timestamp: '2026-11-23T14:05:42.123456+00:00', source: 'app' as const, dyno: 'web.1', message: 'héllo' };
  const msg = '<190>1 2026-11-23T14:05:42.123456+00:00 myapp app web.1 - - héllo';
  assert.equal(syslogMessage(entry, 'myapp'), msg);
  assert.equal(frameEntry(entry, 'myapp').toString('utf8'), `${Buffer.byteLength(msg)} ${msg}`);
  assert.equal(priority({ source: 'heroku', dyno: 'router' }), 158);
  assert.equal(priority({ source: 'heroku', dyno: 'logplex' }), 172);
  assert.equal(priority({ source: 'heroku', dyno: 'web.1' }), 134);
  const two = Buffer.concat([frameEntry(entry, 'a'), frameEntry({ ...entry, message: 'x' }, 'a')]);
  const { messages, rest } = parseOctetFrames(Buffer.concat([two, Buffer.from('12 <1')]));
  assert.equal(messages.length, 2);
  assert.equal(rest.toString(), '12 <1');
});

test('token bucket: burst, refill, one drop report when tokens return', () => {
  const b = newBucket(3, 0);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => take(b, 10, 3, 0)), [true, true, true, false, false]);
  assert.equal(takeDropReport(b, 10, 3, 0), undefined, 'no token yet');
  assert.deepEqual(takeDropReport(b, 10, 3, 100), { dropped: 2, since: 0 });
  assert.equal(takeDropReport(b, 10, 3, 200), undefined);
});

test('ring keeps the newest N, oldest first', () => {
  const r = new Ring<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual(r.toArray(), [3, 4, 5]);
  assert.equal(r.last(), 5);
});
