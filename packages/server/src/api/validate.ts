/**
 * Request bodies are checked against zod schemas; a failure is a 422 `invalid_params` whose
 * message names the field (never a 500).
 */
import { z } from 'zod';
import { InvalidParamsError } from '../errors.js';
import type { Ctx } from './http/index.js';

function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    return [path, keys.join(', ')].filter((s) => s !== '').join('.');
  }
  return path;
}

export function invalidParams(error: z.ZodError): InvalidParamsError {
  const issue = error.issues[0];
  const field = fieldOf(issue);
  if (issue.code === 'unrecognized_keys') return new InvalidParamsError(`Unknown field${field.includes(',') ? 's' : ''}: ${field}.`, field);
  if (field === '') return new InvalidParamsError(`Invalid request body: ${issue.message}.`, 'body');
  return new InvalidParamsError(`Invalid ${field}: ${issue.message}.`, field);
}

export function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidParams(parsed.error);
  return parsed.data;
}

/** Reads the JSON body and checks it. */
export async function body<T>(ctx: Ctx, schema: z.ZodType<T>): Promise<T> {
  return check(schema, await ctx.json());
}
