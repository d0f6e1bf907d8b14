/**
 * `~/.netrc`, as Heroku's CLI keeps it: `machine localhost:5000 login EMAIL password TOKEN`.
 * Pure text functions (parse, set, remove) that keep every other entry and comment as it was,
 * and a thin file layer that writes with mode 0600.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface NetrcEntry {
  login?: string;
  password?: string;
}

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /#[^\n]*|"((?:[^"\\]|\\.)*)"|[^\s]+/g;
  let m: RegExpExecArray | null;
  let inMacdef = false;
  while ((m = re.exec(text))) {
    if (inMacdef) {
      // A macdef body runs to the next blank line.
      const blank = text.indexOf('\n\n', m.index);
      inMacdef = false;
      re.lastIndex = blank === -1 ? text.length : blank + 2;
      continue;
    }
    if (m[0].startsWith('#')) continue;
    const value = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[0];
    tokens.push({ text: value, start: m.index, end: m.index + m[0].length });
    if (value === 'macdef') {
      const name = re.exec(text);
      if (name) tokens.push({ text: name[0], start: name.index, end: name.index + name[0].length });
      inMacdef = true;
    }
  }
  return tokens;
}

interface Block {
  machine: string | null;
  start: number;
  end: number;
  entry: NetrcEntry;
}

function blocks(text: string): Block[] {
  const tokens = tokenize(text);
  const out: Block[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text !== 'machine' && t.text !== 'default') continue;
    const block: Block = { machine: t.text === 'default' ? null : (tokens[i + 1]?.text ?? ''), start: t.start, end: text.length, entry: {} };
    if (t.text === 'machine') i++;
    for (let j = i + 1; j < tokens.length; j++) {
      const k = tokens[j].text;
      if (k === 'machine' || k === 'default') {
        block.end = tokens[j].start;
        break;
      }
      if ((k === 'login' || k === 'password') && tokens[j + 1]) block.entry[k] = tokens[++j].text;
      else if (k === 'account' || k === 'macdef') j++;
    }
    out.push(block);
  }
  return out;
}

/** The entry for `machine` (exact match, e.g. `localhost:5000`). */
export function findNetrcEntry(text: string, machine: string): NetrcEntry | undefined {
  return blocks(text).find((b) => b.machine === machine)?.entry;
}

/** Removes every entry for `machine`. */
export function removeNetrcEntry(text: string, machine: string): string {
  let out = text;
  for (const b of blocks(text).filter((x) => x.machine === machine).reverse()) {
    out = out.slice(0, b.start) + out.slice(b.end);
  }
  return out;
}

/** Replaces (or appends) the entry for `machine`. */
export function setNetrcEntry(text: string, machine: string, entry: Required<NetrcEntry>): string {
  for (const [k, v] of Object.entries({ machine, ...entry })) {
    if (/\s|^$/.test(v)) throw new Error(`A netrc ${k} cannot be empty or contain spaces.`);
  }
  const block = `machine ${machine}\n  login ${entry.login}\n  password ${entry.password}\n`;
  const existing = blocks(text).find((b) => b.machine === machine);
  if (existing) {
    const rest = removeNetrcEntry(text.slice(existing.end), machine);
    return text.slice(0, existing.start) + block + rest;
  }
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return text + sep + block;
}

export function netrcPath(home: string): string {
  return path.join(home, '.netrc');
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

export async function readNetrcEntry(home: string, machine: string): Promise<NetrcEntry | undefined> {
  return findNetrcEntry(await readText(netrcPath(home)), machine);
}

/** Writes the credentials for `machine`; the file ends up with mode 0600. */
export async function writeNetrcEntry(home: string, machine: string, entry: Required<NetrcEntry>): Promise<void> {
  const file = netrcPath(home);
  const next = setNetrcEntry(await readText(file), machine, entry);
  await writePrivate(file, next);
}

/** Removes the credentials for `machine`; true if there were any. */
export async function deleteNetrcEntry(home: string, machine: string): Promise<boolean> {
  const file = netrcPath(home);
  const text = await readText(file);
  if (!findNetrcEntry(text, machine)) return false;
  await writePrivate(file, removeNetrcEntry(text, machine));
  return true;
}

async function writePrivate(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o600 });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}
