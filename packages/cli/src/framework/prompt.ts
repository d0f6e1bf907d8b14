/** Reading answers from stdin: one line at a time, hidden (no echo) on a terminal. */
import readline from 'node:readline';
import type { Io } from './command.js';
import { CliError } from './errors.js';

export interface Prompter {
  ask(question: string, opts?: { hidden?: boolean }): Promise<string>;
  close(): void;
}

export function createPrompter(io: Io): Prompter {
  let lines: AsyncIterator<string> | undefined;
  let rl: readline.Interface | undefined;
  const nextLine = async (): Promise<string> => {
    if (!lines) {
      rl = readline.createInterface({ input: io.stdin, terminal: false });
      lines = rl[Symbol.asyncIterator]();
    }
    const r = await lines.next();
    if (r.done) throw new CliError('No answer given (stdin is closed).');
    return r.value;
  };
  return {
    async ask(question, opts = {}) {
      io.stderr.write(question);
      if (opts.hidden && io.stdin.isTTY && io.stdin.setRawMode && !rl) {
        const answer = await readHidden(io);
        io.stderr.write('\n');
        return answer.trim();
      }
      return (await nextLine()).trim();
    },
    close() {
      rl?.close();
    },
  };
}

function readHidden(io: Io): Promise<string> {
  const stdin = io.stdin;
  return new Promise((resolve, reject) => {
    let answer = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CliError('Cancelled.', 130));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}
