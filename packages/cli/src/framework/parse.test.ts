import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv } from './parse.js';
import { UsageError } from './errors.js';

const cmd = {
  app: true,
  flags: {
    num: { type: 'integer' as const, char: 'n', description: '' },
    tail: { type: 'boolean' as const, char: 't', description: '' },
    source: { type: 'string' as const, char: 's', description: '' },
    buildpack: { type: 'string' as const, char: 'b', multiple: true, description: '' },
  },
};

describe('parseArgv', () => {
  it('parses long, short, inline and separate flag values', () => {
    const r = parseArgv(['-a', 'myapp', '--num=5', '-t', '--source', 'app', 'extra'], cmd);
    assert.deepEqual(r, { args: ['extra'], flags: { app: 'myapp', num: 5, tail: true, source: 'app' } });
    assert.deepEqual(parseArgv(['-amyapp', '-n7'], cmd).flags, { app: 'myapp', num: 7 });
    assert.deepEqual(parseArgv(['--app=my=app'], cmd).flags, { app: 'my=app' });
  });

  it('keeps scale arguments with - and + as arguments', () => {
    assert.deepEqual(parseArgv(['web-1', 'worker+2', '-1'], cmd).args, ['web-1', 'worker+2', '-1']);
  });

  it('collects repeatable flags', () => {
    assert.deepEqual(parseArgv(['-b', 'nodejs', '--buildpack', 'python'], cmd).flags.buildpack, ['nodejs', 'python']);
  });

  it('treats everything after -- as arguments', () => {
    assert.deepEqual(parseArgv(['-a', 'x', '--', 'ls', '-la'], cmd), { args: ['ls', '-la'], flags: { app: 'x' } });
  });

  it('in pass-through mode stops at the first argument', () => {
    const r = parseArgv(['-a', 'x', 'rake', '-T', '--trace'], { ...cmd, passThrough: true });
    assert.deepEqual(r, { args: ['rake', '-T', '--trace'], flags: { app: 'x' } });
  });

  it('rejects unknown flags, missing values and bad integers', () => {
    assert.throws(() => parseArgv(['--nope'], cmd), UsageError);
    assert.throws(() => parseArgv(['-z'], cmd), /Unexpected flag -z/);
    assert.throws(() => parseArgv(['-a'], cmd), /expects a value/);
    assert.throws(() => parseArgv(['-n', 'ten'], cmd), /expects an integer/);
    assert.throws(() => parseArgv(['--tail=yes'], cmd), /does not take a value/);
  });

  it('has -a/-r only for app commands, -h always', () => {
    assert.throws(() => parseArgv(['-a', 'x'], { flags: {} }), UsageError);
    assert.equal(parseArgv(['-h'], { flags: {} }).flags.help, true);
  });
});
