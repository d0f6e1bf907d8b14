/**
 * Config var patches, decided purely: key validation and the release description Heroku writes.
 */
export const CONFIG_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_CONFIG_VALUE_BYTES = 32 * 1024;

export function configPatchProblem(patch: Record<string, string | null>): { field: string; message: string } | undefined {
  for (const [key, value] of Object.entries(patch)) {
    if (!CONFIG_KEY_PATTERN.test(key)) {
      return { field: key, message: `Invalid config var name "${key}": use letters, digits and underscores, not starting with a digit.` };
    }
    if (value !== null && Buffer.byteLength(value) > MAX_CONFIG_VALUE_BYTES) {
      return { field: key, message: `Config var ${key} is longer than ${MAX_CONFIG_VALUE_BYTES} bytes.` };
    }
  }
  return undefined;
}

/** `Set FOO, BAR config vars`, `Remove FOO config vars`, or both joined with `and`. */
export function configChangeDescription(patch: Record<string, string | null>): string {
  const set = Object.keys(patch).filter((k) => patch[k] !== null);
  const removed = Object.keys(patch).filter((k) => patch[k] === null);
  if (set.length > 0 && removed.length > 0) return `Set ${set.join(', ')} and remove ${removed.join(', ')} config vars`;
  if (removed.length > 0) return `Remove ${removed.join(', ')} config vars`;
  return `Set ${set.join(', ')} config vars`;
}
