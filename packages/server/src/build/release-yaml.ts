/**
 * The YAML subset buildpacks print from `bin/release` (buildpack API v2):
 *
 *     ---
 *     addons: []
 *     config_vars:
 *       PATH: /app/bin:/usr/bin
 *     default_process_types:
 *       web: npm start
 *
 * Top-level keys holding either a scalar, `[]`/`{}`, or one level of `key: value` pairs. Scalars may
 * be plain, 'single' or "double" quoted. Anything else is ignored, as Heroku's parser would not fail
 * a build on it either. Pure.
 */
export interface BuildpackRelease {
  defaultProcessTypes: Record<string, string>;
  configVars: Record<string, string>;
}

export function parseReleaseYaml(text: string): BuildpackRelease {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.trim() === '---' || raw.trim() === '...' || raw.trimStart().startsWith('#')) continue;
    const indented = /^\s/.test(raw);
    const m = /^\s*("[^"]*"|'[^']*'|[^:#]+?)\s*:(?:\s+(.*))?$/.exec(raw);
    if (!m) continue;
    const key = unquote(m[1]);
    const value = m[2] === undefined ? '' : m[2].trim();
    if (!indented) {
      current = sections[key] = {};
      continue;
    }
    if (current) current[key] = unquote(stripComment(value));
  }
  return {
    defaultProcessTypes: sections.default_process_types ?? {},
    configVars: sections.config_vars ?? {},
  };
}

function stripComment(v: string): string {
  if (v.startsWith('"') || v.startsWith("'")) return v;
  const i = v.search(/\s#/);
  return i >= 0 ? v.slice(0, i).trim() : v;
}

function unquote(v: string): string {
  const s = v.trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    try {
      return JSON.parse(s) as string;
    } catch {
      return s.slice(1, -1);
    }
  }
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  return s;
}
