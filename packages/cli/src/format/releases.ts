/** `slipway releases` output (heroku-contract.md A15). */
import type { Release } from '@slipway/contract';
import { header } from './styled.js';
import { ago } from './time.js';

type ReleaseView = Pick<Release, 'version' | 'description' | 'status' | 'current' | 'created_at'> & { user?: { email?: string } | null };

const STATUS_NOTE: Record<string, string> = {
  pending: 'release command executing',
  failed: 'release command failed',
  expired: 'release expired',
};

export function releaseDescription(r: Pick<Release, 'description' | 'status'>): string {
  const note = STATUS_NOTE[r.status];
  return note ? `${r.description} (${note})` : r.description;
}

export function formatReleases(app: string, releases: readonly ReleaseView[], now: Date): string[] {
  if (releases.length === 0) return [`${app} has no releases.`];
  const sorted = [...releases].sort((a, b) => b.version - a.version);
  const current = sorted.find((r) => r.current);
  const rows = sorted.map((r) => [`v${r.version}`, releaseDescription(r), r.user?.email ?? '', ago(r.created_at, now)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
  return [
    header(`${app} Releases${current ? ` - Current: v${current.version}` : ''}`),
    '',
    ...rows.map((row) => `  ${row.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('   ')}`.trimEnd()),
  ];
}
