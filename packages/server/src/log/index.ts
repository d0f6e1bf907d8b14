/**
 * The platform's own logger: logfmt lines (`at=start dyno=web.1 app=foo`) on stderr, as Heroku's
 * components write. Injected everywhere; no console.* outside the CLI.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(at: string, fields?: Fields): void;
  info(at: string, fields?: Fields): void;
  warn(at: string, fields?: Fields): void;
  error(at: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function logfmt(fields: Fields): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = v === null ? '' : String(v);
    parts.push(/^[^\s"=]+$/.test(s) ? `${k}=${s}` : `${k}=${JSON.stringify(s)}`);
  }
  return parts.join(' ');
}

export function createLogger(opts: { level?: Level; write?: (line: string) => void; base?: Fields } = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = opts.base ?? {};
  const emit = (level: Level, at: string, fields: Fields = {}) => {
    if (ORDER[level] < min) return;
    write(logfmt({ level, at, ...base, ...fields }));
  };
  return {
    debug: (at, f) => emit('debug', at, f),
    info: (at, f) => emit('info', at, f),
    warn: (at, f) => emit('warn', at, f),
    error: (at, f) => emit('error', at, f),
    child: (fields) => createLogger({ level: opts.level, write, base: { ...base, ...fields } }),
  };
}

/** A logger that discards everything (tests). */
export const silentLogger: Logger = createLogger({ write: () => {} });
