/**
 * app.json (Heroku's app manifest, https://devcenter.heroku.com/articles/app-json-schema): parsed and
 * checked with zod, normalised for the rest of the platform. Builds store it for the app (review
 * apps read `environments.review` and `scripts.pr-predestroy` from there); app setups use `env`,
 * `formation`, `addons`, `buildpacks` and `scripts.postdeploy`.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InvalidParamsError } from '../errors.js';

export const APP_JSON_MAX_BYTES = 64 * 1024;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

const EnvEntry = z.union([
  z.string(),
  z.object({
    description: z.string().optional(),
    value: z.string().optional(),
    required: z.boolean().optional(),
    generator: z.literal('secret').optional(),
  }),
]);
const Formation = z.record(z.string().regex(/^[a-z0-9_-]+$/i), z.object({ quantity: z.number().int().min(0).max(100).optional(), size: z.string().optional() }));
const Addon = z.union([z.string().min(1), z.object({ plan: z.string().min(1), as: z.string().optional(), options: z.record(z.string(), z.unknown()).optional() })]);
const Script = z.union([z.string(), z.object({ command: z.string(), size: z.string().optional() })]);
const Scripts = z.object({ postdeploy: Script.optional(), 'pr-predestroy': Script.optional() }).catchall(z.unknown());
const Section = {
  env: z.record(z.string().regex(ENV_KEY, 'an environment variable name'), EnvEntry).optional(),
  formation: Formation.optional(),
  addons: z.array(Addon).optional(),
  buildpacks: z.array(z.object({ url: z.string().min(1) })).optional(),
  scripts: Scripts.optional(),
};
const AppJsonSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  keywords: z.array(z.string()).optional(),
  website: z.string().optional(),
  repository: z.string().optional(),
  logo: z.string().optional(),
  success_url: z.string().optional(),
  stack: z.string().optional(),
  ...Section,
  environments: z.record(z.string(), z.object(Section).catchall(z.unknown())).optional(),
}).catchall(z.unknown());

export type AppJson = z.infer<typeof AppJsonSchema>;

export interface EnvSpec {
  description: string | null;
  value: string | null;
  required: boolean;
  generator: 'secret' | null;
}

/** Parses app.json text; a problem is an InvalidParamsError naming the field. */
export function parseAppJson(text: string): AppJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidParamsError(`app.json is not valid JSON: ${(err as Error).message}`, 'app.json');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidParamsError('app.json must be a JSON object.', 'app.json');
  const parsed = AppJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidParamsError(`app.json is invalid at ${issue.path.join('.') || '(top)'}: ${issue.message}.`, 'app.json');
  }
  return parsed.data;
}

/** Heroku's rules for an `env` entry: a bare string is a value; `required` defaults to true. */
export function envSpecs(json: Pick<AppJson, 'env'>): Record<string, EnvSpec> {
  const out: Record<string, EnvSpec> = {};
  for (const [key, entry] of Object.entries(json.env ?? {})) {
    out[key] = typeof entry === 'string'
      ? { description: null, value: entry, required: true, generator: null }
      : { description: entry.description ?? null, value: entry.value ?? null, required: entry.required ?? true, generator: entry.generator ?? null };
  }
  return out;
}

export type EnvResolution = { ok: true; config: Record<string, string> } | { ok: false; missing: string[] };

/**
 * The config vars an app setup starts with: overrides win, then `value`, then a fresh secret
 * (`generator: secret`, 64 hex chars, different per app); a required variable with none of these is
 * missing. Overrides of variables app.json does not name are kept too (Heroku does).
 */
export function resolveEnv(specs: Record<string, EnvSpec>, overrides: Record<string, string>, secret: () => string = newSecret): EnvResolution {
  const config: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, spec] of Object.entries(specs)) {
    if (key in overrides) config[key] = overrides[key];
    else if (spec.value !== null) config[key] = spec.value;
    else if (spec.generator === 'secret') config[key] = secret();
    else if (spec.required) missing.push(key);
  }
  for (const [key, value] of Object.entries(overrides)) if (!(key in config)) config[key] = value;
  return missing.length > 0 ? { ok: false, missing: missing.sort() } : { ok: true, config };
}

export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

/** `heroku-postgresql:essential-0` or `{plan, as}` → the plan name and attachment name. */
export function addonRequests(json: Pick<AppJson, 'addons'>): { plan: string; as: string | null }[] {
  return (json.addons ?? []).map((a) => (typeof a === 'string' ? { plan: a, as: null } : { plan: a.plan, as: a.as ?? null }));
}

export function scriptCommand(script: z.infer<typeof Script> | undefined): string | null {
  if (script === undefined) return null;
  const command = typeof script === 'string' ? script : script.command;
  return command.trim() === '' ? null : command;
}

/** Reads `app.json` at the root of a source tree without following symlinks; undefined when absent. */
export async function readAppJsonFile(appDir: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path.join(appDir, 'app.json'), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new InvalidParamsError('app.json is a symlink; it must be a regular file.', 'app.json');
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InvalidParamsError('app.json is not a regular file.', 'app.json');
    if (st.size > APP_JSON_MAX_BYTES) throw new InvalidParamsError(`app.json is larger than ${APP_JSON_MAX_BYTES / 1024} KB.`, 'app.json');
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}
