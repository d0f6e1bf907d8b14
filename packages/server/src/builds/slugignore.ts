/**
 * `.slugignore`: paths removed from the build dir before the buildpacks run (Heroku's rule).
 * .gitignore's pattern language (the `ignore` package: anchoring, `*`, `?`, `**`, `[...]` classes,
 * escapes, trailing-slash directory patterns), minus what Heroku leaves out: `!` negation lines are
 * ignored, and so are patterns with `..`.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import ignore from 'ignore';

export type IgnoreMatcher = (relPath: string, isDir: boolean) => boolean;

/** Pure: compiles the file's text into a matcher of slash-separated relative paths. */
export function parseSlugignore(text: string): IgnoreMatcher {
  const patterns = text.split(/\r?\n/).filter((line) => {
    const p = line.trim();
    return !p.startsWith('!') && !p.split('/').includes('..');
  });
  const ig = ignore().add(patterns);
  return (rel, isDir) => ig.ignores(isDir ? `${rel}/` : rel);
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
