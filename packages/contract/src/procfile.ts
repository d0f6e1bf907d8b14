/**
 * Procfile parsing, as Heroku reads it: one `type: command` per line, blank lines and `#` comments
 * ignored. Malformed lines, duplicate types and bad type names are errors with their line number.
 */
import { PROCESS_TYPE_PATTERN } from './app-name.js';

export interface ProcfileProblem {
  line: number;
  message: string;
}

export class ProcfileError extends Error {
  constructor(readonly problems: ProcfileProblem[]) {
    super(problems.map((p) => `Procfile line ${p.line}: ${p.message}`).join('\n'));
    this.name = 'ProcfileError';
  }
}

export interface Procfile {
  /** Process type → command, in file order. */
  types: Record<string, string>;
}

const LINE = /^([^:\s]*)\s*:\s*(.*)$/;

/** Parses a Procfile. Throws ProcfileError listing every problem found. */
export function parseProcfile(text: string): Procfile {
  const types: Record<string, string> = {};
  const problems: ProcfileProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = LINE.exec(trimmed);
    if (!m) {
      problems.push({ line, message: `expected "type: command", got "${truncate(trimmed)}"` });
      return;
    }
    const [, type, command] = m;
    if (!PROCESS_TYPE_PATTERN.test(type)) {
      problems.push({ line, message: `invalid process type "${truncate(type)}" (letters, digits, "_" and "-", at most 30)` });
      return;
    }
    if (command.trim() === '') {
      problems.push({ line, message: `process type "${type}" has no command` });
      return;
    }
    if (Object.hasOwn(types, type)) {
      problems.push({ line, message: `duplicate process type "${type}"` });
      return;
    }
    types[type] = command.trim();
  });
  if (problems.length > 0) throw new ProcfileError(problems);
  return { types };
}

/** Process types from the buildpacks fill the gaps the Procfile leaves; the Procfile wins. */
export function mergeProcessTypes(defaults: Record<string, string>, procfile: Record<string, string>): Record<string, string> {
  return { ...defaults, ...procfile };
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
