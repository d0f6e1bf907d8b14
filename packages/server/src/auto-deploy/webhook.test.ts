import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hmacHex, parsePush, verifyWebhook } from './webhook.js';

const secret = 's3cr3t-value';
const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) }));

describe('verifyWebhook', () => {
  it('accepts GitHub, Gitea and GitLab proofs of the secret, with their delivery ids and events', () => {
    assert.deepEqual(verifyWebhook({ 'x-hub-signature-256': `sha256=${hmacHex(secret, body)}`, 'x-github-delivery': 'gh-1', 'x-github-event': 'push' }, body, secret),
      { ok: true, forge: 'github', deliveryId: 'gh-1', event: 'push' });
    // Gitea sends GitHub's headers too; its own win.
    assert.deepEqual(verifyWebhook({ 'x-gitea-signature': hmacHex(secret, body), 'x-gitea-delivery': 'gt-1', 'x-gitea-event': 'push', 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' }, body, secret),
      { ok: true, forge: 'gitea', deliveryId: 'gt-1', event: 'push' });
    assert.deepEqual(verifyWebhook({ 'x-gitlab-token': secret, 'x-gitlab-event-uuid': 'gl-1', 'x-gitlab-event': 'Push Hook' }, body, secret),
      { ok: true, forge: 'gitlab', deliveryId: 'gl-1', event: 'push hook' });
    assert.equal((verifyWebhook({ 'x-gitlab-token': secret, 'x-gitlab-webhook-uuid': 'gl-2', 'x-gitlab-event': 'Push Hook' }, body, secret) as { deliveryId: string }).deliveryId, 'gl-2');
  });

  it('refuses a wrong or missing proof, a signature of another body, and unknown senders', () => {
    const sig = `sha256=${hmacHex(secret, body)}`;
    const cases: [Record<string, string>, Buffer, RegExp][] = [
      [{ 'x-hub-signature-256': `sha256=${hmacHex('other', body)}`, 'x-github-event': 'push' }, body, /does not match/],
      [{ 'x-hub-signature-256': sig, 'x-github-event': 'push' }, Buffer.concat([body, Buffer.from(' ')]), /does not match/],
      [{ 'x-hub-signature-256': hmacHex(secret, body), 'x-github-event': 'push' }, body, /does not match/],
      [{ 'x-github-event': 'push' }, body, /no X-Hub-Signature-256/],
      [{ 'x-gitea-signature': hmacHex('other', body), 'x-gitea-event': 'push' }, body, /does not match/],
      [{ 'x-gitlab-token': `${secret}x`, 'x-gitlab-event': 'Push Hook' }, body, /wrong X-Gitlab-Token/],
      [{ 'x-gitlab-event': 'Push Hook' }, body, /no X-Gitlab-Token/],
      [{ 'user-agent': 'curl' }, body, /no GitHub, GitLab or Gitea/],
    ];
    for (const [h, b, reason] of cases) {
      const v = verifyWebhook(h, b, secret);
      assert.equal(v.ok, false, JSON.stringify(h));
      assert.match((v as { reason: string }).reason, reason);
    }
  });
});

describe('parsePush', () => {
  it('reads the branch and new commit, a deletion, and ignores tags and junk', () => {
    assert.deepEqual(parsePush({ ref: 'refs/heads/feature/x', after: 'b'.repeat(40) }), { branch: 'feature/x', sha: 'b'.repeat(40) });
    assert.deepEqual(parsePush({ ref: 'refs/heads/main', checkout_sha: 'c'.repeat(40) }), { branch: 'main', sha: 'c'.repeat(40) });
    assert.deepEqual(parsePush({ ref: 'refs/heads/main', after: '0'.repeat(40), deleted: true }), { branch: 'main', sha: null });
    assert.deepEqual(parsePush({ ref: 'refs/heads/main', after: '0'.repeat(40) }), { branch: 'main', sha: null });
    assert.equal(parsePush({ ref: 'refs/tags/v1', after: 'b'.repeat(40) }), undefined);
    assert.equal(parsePush({ ref: 'refs/heads/main', after: 'HEAD' }), undefined);
    assert.equal(parsePush(null), undefined);
    assert.equal(parsePush('x'), undefined);
  });
});
