/**
 * Pure: push webhooks of GitHub, GitLab and Gitea. Which forge sent a request is read from its
 * headers; its proof of the shared secret is checked in constant time:
 *
 * | forge  | proof header                           | delivery id header                              | event header                 |
 * | ---    | ---                                    | ---                                             | ---                          |
 * | Gitea  | `X-Gitea-Signature`: hex HMAC-SHA256    | `X-Gitea-Delivery`                              | `X-Gitea-Event: push`        |
 * | GitLab | `X-Gitlab-Token`: the secret itself     | `X-Gitlab-Event-UUID` (or `X-Gitlab-Webhook-UUID`) | `X-Gitlab-Event: Push Hook` |
 * | GitHub | `X-Hub-Signature-256`: `sha256=` + hex  | `X-GitHub-Delivery`                             | `X-GitHub-Event: push`       |
 *
 * Gitea also sends GitHub's headers: its own are looked at first. The HMAC covers the raw body
 * bytes exactly as received. Payloads: GitHub and Gitea `{ref, after, deleted}`, GitLab
 * `{ref, after|checkout_sha}`; a branch deleted has `after` all zeros.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Forge = 'github' | 'gitlab' | 'gitea';

export type Headers = Record<string, string | string[] | undefined>;

export type Verdict =
  | { ok: true; forge: Forge; deliveryId: string | null; event: string }
  | { ok: false; forge: Forge | null; reason: string };

const ZERO_SHA = /^0{40}$/;
const SHA = /^[0-9a-f]{40}$/;

function header(h: Headers, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time equality of two strings (lengths compared first, as their lengths are not secret). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function hmacHex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Which forge sent this request, from its headers. */
export function detectForge(h: Headers): Forge | null {
  if (header(h, 'x-gitea-signature') !== undefined || header(h, 'x-gitea-event') !== undefined) return 'gitea';
  if (header(h, 'x-gitlab-token') !== undefined || header(h, 'x-gitlab-event') !== undefined) return 'gitlab';
  if (header(h, 'x-hub-signature-256') !== undefined || header(h, 'x-github-event') !== undefined) return 'github';
  return null;
}

/** Checks the request's proof of `secret`; says which forge, its delivery id and event. */
export function verifyWebhook(h: Headers, body: Buffer, secret: string): Verdict {
  const forge = detectForge(h);
  if (!forge) return { ok: false, forge: null, reason: 'no GitHub, GitLab or Gitea webhook headers' };
  let proof: string | undefined;
  let good: boolean;
  if (forge === 'gitlab') {
    proof = header(h, 'x-gitlab-token');
    good = proof !== undefined && safeEqual(proof, secret);
  } else {
    proof = header(h, forge === 'gitea' ? 'x-gitea-signature' : 'x-hub-signature-256');
    const expected = (forge === 'github' ? 'sha256=' : '') + hmacHex(secret, body);
    good = proof !== undefined && safeEqual(proof.trim().toLowerCase(), expected);
  }
  if (proof === undefined) return { ok: false, forge, reason: `no ${forge === 'gitlab' ? 'X-Gitlab-Token' : forge === 'gitea' ? 'X-Gitea-Signature' : 'X-Hub-Signature-256'} header` };
  if (!good) return { ok: false, forge, reason: forge === 'gitlab' ? 'wrong X-Gitlab-Token' : 'signature does not match' };
  const deliveryId = forge === 'gitea' ? header(h, 'x-gitea-delivery')
    : forge === 'gitlab' ? header(h, 'x-gitlab-event-uuid') ?? header(h, 'x-gitlab-webhook-uuid')
    : header(h, 'x-github-delivery');
  const event = forge === 'gitea' ? header(h, 'x-gitea-event') : forge === 'gitlab' ? header(h, 'x-gitlab-event') : header(h, 'x-github-event');
  return { ok: true, forge, deliveryId: deliveryId?.slice(0, 200) ?? null, event: (event ?? '').toLowerCase() };
}

export interface PushEvent {
  branch: string;
  /** The new tip; null when the branch was deleted. */
  sha: string | null;
}

/** Is this event a push (GitHub and Gitea `push`, GitLab `Push Hook`)? */
export function isPushEvent(event: string): boolean {
  return event === 'push' || event === 'push hook';
}

/** A push payload's branch and new commit; undefined for a tag push or a payload that is not one. */
export function parsePush(payload: unknown): PushEvent | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  if (typeof p.ref !== 'string' || !p.ref.startsWith('refs/heads/')) return undefined;
  const branch = p.ref.slice('refs/heads/'.length);
  const after = typeof p.after === 'string' ? p.after : typeof p.checkout_sha === 'string' ? p.checkout_sha : undefined;
  if (p.deleted === true || (after !== undefined && ZERO_SHA.test(after))) return { branch, sha: null };
  if (after === undefined || !SHA.test(after)) return undefined;
  return { branch, sha: after };
}
