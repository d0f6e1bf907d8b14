/**
 * Config var patches, decided purely: Heroku's key rules, the size limits and the release
 * description Heroku writes. Values reach the dyno's environment (execve), so a value with a NUL
 * byte, or config too large for an exec, would be stored fine and then keep every dyno from starting:
 * they are refused at the door instead.
 *
 * Heroku's rules: keys are letters, digits and underscores, not starting with a digit; keys
 * starting with a double underscore are reserved (`__proto__` among them); all keys and values of an
 * app together may not exceed 32 KB.
 */
export const CONFIG_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Longest key, in bytes (Heroku does not publish one; environment names this long are abuse). */
export const MAX_CONFIG_KEY_BYTES = 256;
export const MAX_CONFIG_VALUE_BYTES = 32 * 1024;
/** Heroku's cap on an app's config: every key and value together. */
export const MAX_CONFIG_TOTAL_BYTES = 32 * 1024;

export interface ConfigProblem {
  field: string;
  message: string;
}

/** Why `key` cannot be an environment variable name of a dyno, if it cannot. */
export function envKeyProblem(key: string, what = 'config var'): ConfigProblem | undefined {
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  if (Buffer.byteLength(key) > MAX_CONFIG_KEY_BYTES) return { field: shown, message: `Invalid ${what} name "${shown}": longer than ${MAX_CONFIG_KEY_BYTES} bytes.` };
  if (!CONFIG_KEY_PATTERN.test(key)) return { field: shown, message: `Invalid ${what} name ${JSON.stringify(shown)}: use letters, digits and underscores, not starting with a digit.` };
  if (key.startsWith('__')) return { field: key, message: `Invalid ${what} name "${key}": names starting with a double underscore are reserved.` };
  return undefined;
}

/** Why `value` cannot be in a dyno's environment, if it cannot. */
export function envValueProblem(key: string, value: string, what = 'Config var'): ConfigProblem | undefined {
  if (value.includes('\0')) return { field: key, message: `${what} ${key} contains a NUL byte, which no process environment can hold.` };
  if (Buffer.byteLength(value) > MAX_CONFIG_VALUE_BYTES) return { field: key, message: `${what} ${key} is longer than ${MAX_CONFIG_VALUE_BYTES} bytes.` };
  return undefined;
}

export function configPatchProblem(patch: Record<string, string | null>): ConfigProblem | undefined {
  for (const [key, value] of Object.entries(patch)) {
    const problem = envKeyProblem(key) ?? (value === null ? undefined : envValueProblem(key, value));
    if (problem) return problem;
  }
  return undefined;
}

/** Bytes of every key and value together. */
export function configBytes(config: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(config)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/** The 32 KB total: a problem when `current` with `patch` applied would exceed it (and grow). */
export function configTotalProblem(current: Record<string, string>, patch: Record<string, string | null>, what = 'Config vars'): ConfigProblem | undefined {
  const next: Record<string, string> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  const total = configBytes(next);
  if (total <= MAX_CONFIG_TOTAL_BYTES || total <= configBytes(current)) return undefined;
  return { field: 'config_vars', message: `${what} are limited to ${MAX_CONFIG_TOTAL_BYTES} bytes (32 KB) in total, keys and values together; this would make them ${total} bytes.` };
}

/** `Set FOO, BAR config vars`, `Remove FOO config vars`, or both joined with `and`. */
export function configChangeDescription(patch: Record<string, string | null>): string {
  const set = Object.keys(patch).filter((k) => patch[k] !== null);
  const removed = Object.keys(patch).filter((k) => patch[k] === null);
  if (set.length > 0 && removed.length > 0) return `Set ${set.join(', ')} and remove ${removed.join(', ')} config vars`;
  if (removed.length > 0) return `Remove ${removed.join(', ')} config vars`;
  return `Set ${set.join(', ')} config vars`;
}
