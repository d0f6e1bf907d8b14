/**
 * What a push may do, decided purely from its ref updates (the pre-receive hook's stdin):
 * only `main` or `master` build; deleting them, other branches and mixed pushes are refused with a
 * message, so nothing changes.
 */
import type { RefUpdate } from './git-http.js';

export type PushDecision =
  | { kind: 'build'; sha: string; ref: string }
  | { kind: 'reject'; message: string }
  | { kind: 'accept-without-build'; message?: string };

const ZERO = /^0+$/;
const DEPLOY_REFS = new Set(['refs/heads/main', 'refs/heads/master']);

export function decidePush(updates: RefUpdate[]): PushDecision {
  if (updates.length === 0) return { kind: 'accept-without-build', message: 'Nothing to deploy: the push updated no branch.' };
  const others = updates.filter((u) => !DEPLOY_REFS.has(u.ref));
  if (others.length > 0) {
    const names = others.map((u) => u.ref.replace(/^refs\/heads\//, '')).join(', ');
    return {
      kind: 'reject',
      message: `Pushing to ${names} is not supported: only main or master is deployed.\nPush your branch to main instead: git push slipway ${others[0].ref.replace(/^refs\/heads\//, '')}:main`,
    };
  }
  if (updates.length > 1) return { kind: 'reject', message: 'Push either main or master, not both at once.' };
  const [u] = updates;
  const branch = u.ref.replace(/^refs\/heads\//, '');
  if (ZERO.test(u.new)) return { kind: 'reject', message: `Deleting ${branch} is not allowed: it holds the app's deployed code.` };
  if (!/^[0-9a-f]{40}$/.test(u.new)) return { kind: 'reject', message: `Bad commit id for ${branch}.` };
  return { kind: 'build', sha: u.new, ref: u.ref };
}
