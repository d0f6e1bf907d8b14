/**
 * `.slugignore`: paths removed from the build dir before the buildpacks run (Heroku's rule).
 * gitignore-like patterns without negation: a pattern with a slash (other than a trailing one) is
 * anchored at the app root, otherwise it matches a name at any depth; `*`, `?` and `**` globs.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

export type IgnoreMatcher = (relPath: string, isDir: boolean) => boolean;

/** Pure: compiles the file's text into a matcher of slash-separated relative paths. */
export function parseSlugignore(text: string): IgnoreMatcher {
  const rules: { re: RegExp; dirOnly: boolean }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let p = raw.trim();
    if (p === '' || p.startsWith('#') || p.startsWith('!')) continue;
    const dirOnly = p.endsWith('/');
    p = p.replace(/\/+$/, '');
    const anchored = p.includes('/');
    p = p.replace(/^\/+/, '');
    if (p === '' || p.split('/').includes('..')) continue;
    const body = globToRegex(p);
    rules.push({ re: new RegExp(anchored ? `^${body}$` : `(^|/)${body}$`), dirOnly });
  }
  return (rel, isDir) => rules.some((r) => (!r.dirOnly || isDir) && r.re.test(rel));
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/** Removes what `<dir>/.slugignore` names; returns the removed relative paths. */
export async function applySlugignore(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path.join(dir, '.slugignore'), 'utf8');
  } catch {
    return [];
  }
  const match = parseSlugignore(text);
  const removed: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      const isDir = e.isDirectory();
      if (match(child, isDir)) {
        await rm(path.join(dir, child), { recursive: true, force: true });
        removed.push(child);
      } else if (isDir) {
        await walk(child);
      }
    }
  };
  await walk('');
  return removed;
}
