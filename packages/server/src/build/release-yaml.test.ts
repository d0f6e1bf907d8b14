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
