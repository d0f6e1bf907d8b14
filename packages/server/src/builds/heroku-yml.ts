/**
 * heroku.yml (https://devcenter.heroku.com/articles/build-docker-images-heroku-yml), parsed with the
 * `yaml` package and checked with zod. Slipway builds slugs with buildpacks, not Docker images: an
 * app on the `container` stack gets its process types (and release command) from `run` (and
 * `release`) as a Procfile would give them; a `build.docker` section is refused as not supported
 * yet. `setup` is the official CLI's business (`apps:create --manifest` sends its add-ons and config).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidParamsError } from '../errors.js';

export const CONTAINER_STACK = 'container';
const MAX_BYTES = 64 * 1024;

const Command = z.union([z.string().min(1), z.array(z.string()).min(1)]);
const Run = z.union([Command, z.object({ command: Command, image: z.string().optional() })]);
const HerokuYmlSchema = z.object({
  setup: z.object({
    addons: z.array(z.object({ plan: z.string().min(1), as: z.string().optional() })).optional(),
    config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }).optional(),
  build: z.object({ docker: z.record(z.string(), z.unknown()).optional(), config: z.record(z.string(), z.unknown()).optional() }).catchall(z.unknown()).optional(),
  release: z.object({ command: Command, image: z.string().optional() }).optional(),
  run: z.record(z.string().regex(/^[a-zA-Z0-9_-]+$/, 'a process type name'), Run).optional(),
}).catchall(z.unknown());

export interface HerokuYml {
  /** The manifest asks for Docker image builds. */
  dockerBuild: boolean;
  /** Process types from `run`, and `release` from the release section. */
  processTypes: Record<string, string>;
}

/** `["bundle", "exec", "puma"]` is one command line; a string is used as written. */
function commandLine(c: z.infer<typeof Command>): string {
  return typeof c === 'string' ? c : c.join(' ');
}

export function parseHerokuYml(text: string): HerokuYml {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new InvalidParamsError(`heroku.yml is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'heroku.yml');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidParamsError('heroku.yml must be a YAML mapping.', 'heroku.yml');
  const parsed = HerokuYmlSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidParamsError(`heroku.yml is invalid at ${issue.path.join('.') || '(top)'}: ${issue.message}.`, 'heroku.yml');
  }
  const y = parsed.data;
  const processTypes: Record<string, string> = {};
  for (const [type, run] of Object.entries(y.run ?? {})) processTypes[type] = commandLine(typeof run === 'object' && !Array.isArray(run) ? run.command : run);
  if (y.release) processTypes.release = commandLine(y.release.command);
  for (const [type, command] of Object.entries(processTypes)) {
    if (/[\r\n]/.test(command)) throw new InvalidParamsError(`heroku.yml: the ${type} command spans several lines; give it on one line.`, 'heroku.yml');
  }
  return { dockerBuild: y.build?.docker !== undefined, processTypes };
}

/** Reads `heroku.yml` at the root of a source tree without following symlinks; undefined when absent. */
export async function readHerokuYmlFile(appDir: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path.join(appDir, 'heroku.yml'), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new InvalidParamsError('heroku.yml is a symlink; it must be a regular file.', 'heroku.yml');
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InvalidParamsError('heroku.yml is not a regular file.', 'heroku.yml');
    if (st.size > MAX_BYTES) throw new InvalidParamsError(`heroku.yml is larger than ${MAX_BYTES / 1024} KB.`, 'heroku.yml');
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** A Procfile with these process types (for a container-stack source that has none). */
export function procfileText(processTypes: Record<string, string>): string {
  return Object.entries(processTypes).map(([type, command]) => `${type}: ${command}\n`).join('');
}
