/**
 * What a buildpack's `bin/release` prints (buildpack API v2), parsed with the `yaml` package, so any
 * YAML a real buildpack prints (flow maps, quoted or multi-line strings, comments, anchors) reads as
 * Heroku reads it:
 *
 *     ---
 *     addons: []
 *     config_vars:
 *       PATH: /app/bin:/usr/bin
 *     default_process_types:
 *       web: npm start
 *
 * Keys other than `default_process_types` and `config_vars` are ignored, as are entries whose value
 * is not a scalar; scalars that are numbers or booleans become their text. Output that is not YAML
 * at all is an error (the build says which buildpack printed it). Pure.
 */
import { parse as parseYaml } from 'yaml';

export interface BuildpackRelease {
  defaultProcessTypes: Record<string, string>;
  configVars: Record<string, string>;
}

export class ReleaseYamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseYamlError';
  }
}

export function parseReleaseYaml(text: string): BuildpackRelease {
  let doc: unknown;
  try {
    // One document; `---` markers and an empty output are fine. Aliases are capped (billion laughs).
    doc = parseYaml(text, { maxAliasCount: 100, uniqueKeys: false });
  } catch (err) {
    throw new ReleaseYamlError(`bin/release printed invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const top = isMap(doc) ? doc : {};
  return {
    defaultProcessTypes: scalars(top.default_process_types),
    configVars: scalars(top.config_vars),
  };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The scalar entries of a mapping, as strings; anything else gives an empty map. */
function scalars(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(v)) return out;
  for (const [key, value] of Object.entries(v)) {
    if (key === '__proto__') continue;
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}
