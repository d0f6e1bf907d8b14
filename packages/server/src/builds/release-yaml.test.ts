import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReleaseYaml } from './release-yaml.js';

test('reads default_process_types and config_vars', () => {
  const r = parseReleaseYaml('---\naddons: []\nconfig_vars:\n  PATH: "/app/bin:/usr/bin"\n  LANG: en_US.UTF-8\ndefault_process_types:\n  web: npm start\n  worker: \'node w.js\'\n');
  assert.deepEqual(r.defaultProcessTypes, { web: 'npm start', worker: 'node w.js' });
  assert.deepEqual(r.configVars, { PATH: '/app/bin:/usr/bin', LANG: 'en_US.UTF-8' });
});

test('empty output or no process types gives empty maps', () => {
  assert.deepEqual(parseReleaseYaml(''), { defaultProcessTypes: {}, configVars: {} });
  assert.deepEqual(parseReleaseYaml('--- {}\n').defaultProcessTypes, {});
  assert.deepEqual(parseReleaseYaml('---\ndefault_process_types:\n').defaultProcessTypes, {});
});

test('keeps colons and hashes inside commands, drops trailing comments', () => {
  const r = parseReleaseYaml('default_process_types:\n  web: bin/server --bind 0.0.0.0:$PORT # the web\n  x: "a # not a comment"\n');
  assert.deepEqual(r.defaultProcessTypes, { web: 'bin/server --bind 0.0.0.0:$PORT', x: 'a # not a comment' });
});

test('a later top-level key ends the section', () => {
  const r = parseReleaseYaml('default_process_types:\n  web: a\naddons:\n  - foo\n');
  assert.deepEqual(r.defaultProcessTypes, { web: 'a' });
});

test('flow maps, block scalars, comments and anchors as real buildpacks print them', () => {
  const r = parseReleaseYaml([
    '--- # printed by a buildpack',
    'addons: [heroku-postgresql]',
    'config_vars: {LANG: en_US.UTF-8, WEB_CONCURRENCY: 2, DEBUG: false}',
    'default_process_types:',
    '  web: &web >-',
    '    bundle exec puma',
    '    -p $PORT',
    '  # a comment line',
    '  console: *web',
    '  worker: |',
    '    node worker.js',
    '',
  ].join('\n'));
  assert.deepEqual(r.defaultProcessTypes, { web: 'bundle exec puma -p $PORT', console: 'bundle exec puma -p $PORT', worker: 'node worker.js\n' });
  assert.deepEqual(r.configVars, { LANG: 'en_US.UTF-8', WEB_CONCURRENCY: '2', DEBUG: 'false' });
});

test('a top-level flow map and non-scalar entries', () => {
  const r = parseReleaseYaml('{default_process_types: {web: "node s.js", bad: [1, 2], nested: {a: b}}}');
  assert.deepEqual(r.defaultProcessTypes, { web: 'node s.js' });
});

test('output that is not YAML is an error naming the problem', () => {
  assert.throws(() => parseReleaseYaml('default_process_types:\n  web: "unterminated\n'), (err: Error) => err.name === 'ReleaseYamlError' && /invalid YAML/.test(err.message));
  assert.throws(() => parseReleaseYaml('a: &x [*x, *x]\nb: *y\n'), /invalid YAML/);
});

test('a __proto__ key cannot pollute the result', () => {
  const r = parseReleaseYaml('default_process_types:\n  __proto__: evil\n  web: a\n');
  assert.deepEqual(r.defaultProcessTypes, { web: 'a' });
  assert.equal(Object.getPrototypeOf(r.defaultProcessTypes), Object.prototype);
});
