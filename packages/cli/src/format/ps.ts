/** `slipway ps` output (heroku-contract.md A8): one-offs first, then dynos grouped by command. */
import type { Dyno } from '@slipway/contract';
import { header } from './styled.js';
import { ago } from './time.js';

type DynoView = Pick<Dyno, 'name' | 'type' | 'state' | 'command' | 'updated_at'> & { size?: string | null };

function dynoNumber(name: string): number {
  const m = /^[^.]+\.(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}
const byNumber = (a: DynoView, b: DynoView) => dynoNumber(a.name) - dynoNumber(b.name);

export function formatPs(dynos: readonly DynoView[], now: Date): string[] {
  const lines: string[] = [];
  const oneOffs = dynos.filter((d) => d.type === 'run').sort(byNumber);
  const sorted = dynos.filter((d) => d.type !== 'run').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (oneOffs.length > 0) {
    lines.push(header(`run: one-off processes (${oneOffs.length})`), '');
    for (const d of oneOffs) lines.push(`${d.name} (${d.size || '1X'}): ${d.state} ${ago(d.updated_at, now)}: ${d.command}`);
    lines.push('');
  }
  const commands = [...new Set(sorted.map((d) => d.command))];
  for (const command of commands) {
    const group = sorted.filter((d) => d.command === command).sort(byNumber);
    const first = group[0];
    lines.push(header(`${first.type} (${first.size || '1X'}): ${command} (${group.length})`), '');
    for (const d of group) lines.push(`${d.name}: ${d.state} ${ago(d.updated_at, now)}`);
    lines.push('');
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
