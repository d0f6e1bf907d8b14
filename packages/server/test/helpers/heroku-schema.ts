/**
 * Checks a Platform API response against Heroku's published schema (the subset in
 * packages/contract/schema/heroku-platform-subset.json): every property the schema defines for the
 * resource is present, with a type the schema allows (`$ref`s resolved, nested objects checked the
 * same way), uuids and date-times well formed. Returns the problems found, one line each.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface PropSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  properties?: Record<string, PropSchema>;
  items?: PropSchema;
  anyOf?: PropSchema[];
  enum?: Json[];
}

const require = createRequire(import.meta.url);
const contractDir = path.dirname(path.dirname(path.dirname(require.resolve('@slipway/contract'))));
const subset = JSON.parse(readFileSync(path.join(contractDir, 'schema/heroku-platform-subset.json'), 'utf8')) as {
  definitions: Record<string, { properties?: Record<string, PropSchema>; definitions?: Record<string, PropSchema> }>;
};

function resolve(s: PropSchema): PropSchema {
  let cur = s;
  for (let i = 0; cur.$ref && i < 10; i++) {
    // `#/definitions/<resource>/definitions/<name>[/definitions/<nested>…]`
    const [, , resource, ...rest] = cur.$ref.split('/');
    let target: PropSchema | undefined = subset.definitions[resource] as PropSchema | undefined;
    for (let j = 0; j + 1 < rest.length && target; j += 2) target = (target as { definitions?: Record<string, PropSchema> }).definitions?.[rest[j + 1]];
    if (!target) throw new Error(`schema subset lacks ${cur.$ref}: re-run scripts/extract-heroku-schema.mjs`);
    cur = target;
  }
  return cur;
}

function typeOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function check(schema: PropSchema, value: Json, at: string, problems: string[]): void {
  const s = resolve(schema);
  if (s.anyOf) {
    const all = s.anyOf.map((alt) => { const p: string[] = []; check(alt, value, at, p); return p; });
    if (all.every((p) => p.length > 0)) problems.push(...all[0]);
    return;
  }
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const actual = typeOf(value);
  if (types.length > 0 && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
    problems.push(`${at}: is ${actual}, schema allows ${types.join('|')}`);
    return;
  }
  if (typeof value === 'string' && s.format === 'uuid' && !UUID.test(value)) problems.push(`${at}: "${value}" is not a uuid`);
  if (typeof value === 'string' && s.format === 'date-time' && Number.isNaN(Date.parse(value))) problems.push(`${at}: "${value}" is not a date-time`);
  if (s.enum && !s.enum.some((e) => e === value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  if (actual === 'object' && s.properties) checkObject(s.properties, value as Record<string, Json>, at, problems, []);
  if (actual === 'array' && s.items) (value as Json[]).forEach((item, i) => check(s.items!, item, `${at}[${i}]`, problems));
}

function checkObject(props: Record<string, PropSchema>, value: Record<string, Json>, at: string, problems: string[], omitted: string[]): void {
  for (const [key, schema] of Object.entries(props)) {
    if (omitted.includes(key)) continue;
    if (!(key in value)) {
      problems.push(`${at}.${key}: missing`);
      continue;
    }
    check(schema, value[key], `${at}.${key}`, problems);
  }
}

/**
 * Problems with `value` as a `resource` (e.g. 'app', 'release'). `omitted` lists properties Slipway
 * deliberately does not serve; the caller says why next to the list.
 */
export function schemaProblems(resource: string, value: unknown, omitted: string[] = []): string[] {
  const def = subset.definitions[resource];
  if (!def?.properties) throw new Error(`no schema for ${resource}`);
  if (typeOf(value as Json) !== 'object') return [`${resource}: is ${typeOf(value as Json)}, expected an object`];
  const problems: string[] = [];
  checkObject(def.properties, value as Record<string, Json>, resource, problems, omitted);
  return problems;
}
