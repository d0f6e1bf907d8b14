/**
 * Wait for CI: a commit is deployed only once its combined status is `success`. The status comes
 * from the forge's API — GitHub's `GET {api}/repos/{owner}/{repo}/commits/{sha}/status`, which
 * Gitea serves at the same path under `/api/v1` — polled with backoff: at once, then after
 * `firstDelayMs`, doubling up to `maxDelayMs`, until `timeoutMs`. `failure` and `error` end the wait
 * (no deploy); `pending` (GitHub's answer while no check reported yet), HTTP errors and network
 * errors are polled again. Only the `state` field of the answer is read.
 */
export type CiOutcome = 'success' | 'failure' | 'error' | 'timeout' | 'aborted';

/** `owner/repo` of a repository URL (`https://host/owner/repo(.git)`), or undefined. */
export function repoFullName(repoUrl: string): string | undefined {
  let u: URL;
  try {
    u = new URL(repoUrl);
  } catch {
    return undefined;
  }
  const parts = u.pathname.replace(/\.git$/, '').split('/').filter(Boolean);
  if (parts.length < 2) return undefined;
  return parts.slice(-2).map(encodeURIComponent).join('/');
}

export function combinedStatusUrl(apiUrl: string, repoUrl: string, sha: string): string | undefined {
  const name = repoFullName(repoUrl);
  if (!name) return undefined;
  return `${apiUrl.replace(/\/+$/, '')}/repos/${name}/commits/${sha}/status`;
}

/** Pure: the wait before poll number `attempt` (0 = the first, at once). */
export function pollDelay(attempt: number, firstDelayMs: number, maxDelayMs: number): number {
  if (attempt <= 0) return 0;
  return Math.min(firstDelayMs * 2 ** (attempt - 1), maxDelayMs);
}

export interface WaitForCiInput {
  statusUrl: string;
  token: string | null;
  firstDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** Called with each state seen (or the HTTP/network problem), for the app's log. */
  onState?(state: string): void;
}

export async function waitForCi(input: WaitForCiInput): Promise<CiOutcome> {
  const until = Date.now() + input.timeoutMs;
  let last = '';
  for (let attempt = 0; ; attempt++) {
    const delay = pollDelay(attempt, input.firstDelayMs, input.maxDelayMs);
    if (Date.now() + delay > until) return 'timeout';
    if (!(await sleep(delay, input.signal))) return 'aborted';
    const state = await poll(input);
    if (state !== last) input.onState?.(state);
    last = state;
    if (state === 'success' || state === 'failure' || state === 'error') return state;
  }
}

async function poll(input: WaitForCiInput): Promise<string> {
  try {
    const res = await fetch(input.statusUrl, {
      headers: { accept: 'application/vnd.github+json', 'user-agent': 'slipway', ...(input.token ? { authorization: `token ${input.token}` } : {}) },
      redirect: 'error',
      signal: AbortSignal.any([input.signal, AbortSignal.timeout(30_000)]),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return `HTTP ${res.status}`;
    }
    const body = (await res.json()) as { state?: unknown };
    return typeof body.state === 'string' ? body.state : 'no state';
  } catch (err) {
    return `unreachable (${(err as Error).message})`;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
