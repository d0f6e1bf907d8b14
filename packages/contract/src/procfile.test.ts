import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcfile, ProcfileError, mergeProcessTypes } from './procfile.js';

test('parses types and commands, skipping blanks and comments', () => {
  const p = parseProcfile('# comment\nweb: node server.js --port $PORT\n\nworker:   python worker.py  \r\nrelease: ./migrate\n');
  assert.deepEqual(p.types, { web: 'node server.js --port $PORT', worker: 'python worker.py', release: './migrate' });
});

test('keeps colons inside the command', () => {
  assert.equal(parseProcfile('web: env A=b:c node x.js').types.web, 'env A=b:c node x.js');
});

test('an empty Procfile has no types', () => {
  assert.deepEqual(parseProcfile('').types, {});
});

function problemsOf(text: string): { line: number; message: string }[] {
  try {
    parseProcfile(text);
  } catch (err) {
    assert.ok(err instanceof ProcfileError);
    return err.problems;
  }
  assert.fail('expected a ProcfileError');
}

test('malformed line is reported with its line number', () => {
  const problems = problemsOf('web: node a.js\njust some words\n');
  assert.equal(problems.length, 1);
  assert.equal(problems[0].line, 2);
  assert.match(problems[0].message, /expected "type: command"/);
});

test('duplicate types are reported', () => {
  const problems = problemsOf('web: a\nworker: b\nweb: c\n');
  assert.deepEqual(problems.map((p) => p.line), [3]);
  assert.match(problems[0].message, /duplicate process type "web"/);
});

test('bad type names and empty commands are reported, all at once', () => {
  const problems = problemsOf('web.1: a\nworker:\n' + 'x'.repeat(31) + ': b\n');
  assert.deepEqual(problems.map((p) => p.line), [1, 2, 3]);
  assert.match(problems[0].message, /invalid process type "web\.1"/);
  assert.match(problems[1].message, /no command/);
});

test('error message names the lines', () => {
  assert.throws(() => parseProcfile('a b c'), /Procfile line 1:/);
});

test('the Procfile wins over buildpack defaults', () => {
  assert.deepEqual(mergeProcessTypes({ web: 'npm start', console: 'node' }, { web: 'node x.js' }), { web: 'node x.js', console: 'node' });
});
