/**
 * Pure: a review app's name from its pipeline and branch — `<pipeline>-<branch>` in Heroku's app
 * name alphabet (lowercase letters, digits, dashes; at most 30). A name that had to be shortened
 * ends with 4 hex digits of the branch's hash, so two long branches do not collide.
 */
import { createHash } from 'node:crypto';

const MAX = 30;

export function reviewAppName(pipeline: string, branch: string): string {
  const slug = branch.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'branch';
  const full = `${pipeline}-${slug}`;
  if (full.length <= MAX) return full;
  const hash = createHash('sha256').update(branch).digest('hex').slice(0, 4);
  return `${full.slice(0, MAX - 5).replace(/-+$/, '')}-${hash}`;
}

/** Branches whose pushes never create a review app by themselves (the pipeline's mainline). */
export const MAINLINE_BRANCHES: readonly string[] = ['main', 'master'];
