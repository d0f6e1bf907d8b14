/** Reading Heroku log lines (`2026-01-01T00:00:00.000000+00:00 app[web.1]: text`). Pure. */
export interface LogLine {
  seq: number;
  raw: string;
  time: string;
  source: string;
  text: string;
  /** A router line with `at=error` (H10, H12…), or a platform error (R14…). */
  error: boolean;
}

const LINE = /^(\S+)\s+([a-z]+\[[^\]]+\]|[a-z]+):\s?(.*)$/s;

export function parseLogLine(raw: string, seq: number): LogLine {
  const m = LINE.exec(raw);
  const source = m ? m[2] : '';
  const text = m ? m[3] : raw;
  const error = (source === 'heroku[router]' && /\bat=error\b/.test(text)) || /\bError [HRL]\d\d\b/.test(text);
  return { seq, raw, time: m ? m[1] : '', source, text, error };
}

/** Search: every whitespace-separated word must appear, case-insensitively. */
export function matchesSearch(line: LogLine, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = line.raw.toLowerCase();
  return words.every((w) => hay.includes(w));
}
