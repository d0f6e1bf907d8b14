/** Heroku-style text output: `=== headers`, aligned `Key: value` blocks and plain tables. Pure. */

export function header(text: string): string {
  return `=== ${text}`;
}

type Value = string | number | boolean | null | undefined | readonly (string | number)[];

/**
 * `Key: value` lines with values aligned, as Heroku's styledObject: null/undefined and empty
 * arrays are skipped; array values continue on following lines under the first.
 */
export function styledObject(obj: Record<string, Value>, keys: readonly string[] = Object.keys(obj)): string[] {
  const shown = keys.filter((k) => {
    const v = obj[k];
    return v !== null && v !== undefined && (!Array.isArray(v) || v.length > 0);
  });
  const width = shown.reduce((w, k) => Math.max(w, k.length), 0) + 2;
  const lines: string[] = [];
  for (const k of shown) {
    const v = obj[k];
    const values = Array.isArray(v) ? v.map(String) : [String(v)];
    lines.push(`${k}:${' '.repeat(width - k.length - 1)}${values[0]}`);
    for (const more of values.slice(1)) lines.push(' '.repeat(width) + more);
  }
  return lines;
}

export interface Column<T> {
  header: string;
  get(row: T): string | number | null | undefined;
}

/** A table with a header row and a `─` rule, columns padded to the widest cell. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string[] {
  const cells = rows.map((r) => columns.map((c) => {
    const v = c.get(r);
    return v === null || v === undefined ? '' : String(v);
  }));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => ` ${values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)];
}

/** `a`, `a and b`, `a, b and c` (Heroku's English lists). */
export function toSentence(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Byte sizes as Heroku prints them: `0 B`, `1.5 KB`, `23.4 MB`. */
export function fileSize(bytes: number | null | undefined): string | undefined {
  if (bytes === null || bytes === undefined) return undefined;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : Number(n.toFixed(1))} ${units[u]}`;
}

/** A value for a POSIX shell: `'it'\''s'`, left bare when safe. */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
