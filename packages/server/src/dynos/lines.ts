/**
 * Splits a byte stream into lines (UTF-8 safe, `\r\n` and `\n`, very long lines cut into pieces so
 * one runaway line cannot hold memory). Used by drivers to feed `DynoEvents.onLine`.
 */
import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE_CHARS = 10_000;

export interface LineSplitter {
  push(chunk: Buffer): void;
  /** Emits the unterminated tail, if any. */
  end(): void;
}

export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  const emit = (line: string) => onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  const drain = () => {
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      emit(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    while (buf.length > MAX_LINE_CHARS) {
      emit(buf.slice(0, MAX_LINE_CHARS));
      buf = buf.slice(MAX_LINE_CHARS);
    }
  };
  return {
    push(chunk) {
      buf += decoder.write(chunk);
      drain();
    },
    end() {
      buf += decoder.end();
      drain();
      if (buf !== '') emit(buf);
      buf = '';
    },
  };
}
