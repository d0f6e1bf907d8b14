/** Times as Heroku's CLI prints them: `2026/11/22 14:05:42 +0000 (~ 8h ago)` in the local zone. */

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** strftime('%Y/%m/%d %H:%M:%S %z') in the process's local time zone. */
export function formatTime(d: Date): string {
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}`;
}

/** `(~ 49s ago)`, `(~ 2m ago)`, `(~ 8h ago)` under 25 hours, nothing after that. */
export function agoSuffix(since: Date, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000));
  if (s < 60) return ` (~ ${s}s ago)`;
  if (s < 3600) return ` (~ ${Math.floor(s / 60)}m ago)`;
  if (s < 25 * 3600) return ` (~ ${Math.floor(s / 3600)}h ago)`;
  return '';
}

export function ago(since: Date | string, now: Date): string {
  const d = typeof since === 'string' ? new Date(since) : since;
  if (Number.isNaN(d.getTime())) return String(since);
  return formatTime(d) + agoSuffix(d, now);
}
