// 6. Density: RSS of every Slipway process (API/platform, router, shims) with 0, 10 and 50 idle web
// dynos, the platform's overhead per dyno in MB beside the dyno's own RSS (the peer), and the
// latency of GET /apps/{app}/formation under that load.
import { slipwayMemory } from '../lib/procfs.mjs';
import { sleep, waitFor } from '../lib/proc.mjs';
import { notMeasured, ratio } from '../lib/ratio.mjs';
import { round, summarize } from '../lib/stats.mjs';

const MB = 1024;

async function formationLatency(platform, app, n) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const r = await platform.api('GET', `/apps/${app}/formation`);
    if (r.status !== 200) throw new Error(`GET formation: ${r.status}`);
    ms.push(r.ms);
  }
  const s = summarize(ms);
  return { p50: round(s.p50, 2), p99: round(s.p99, 2), mean: round(s.mean, 2) };
}

export async function density({ quick, platform, log, app }) {
  const counts = quick ? [0, 10] : [0, 10, 50];
  const calls = quick ? 50 : 300;
  const rows = [];
  let reason = null;
  for (const n of counts) {
    const r = await platform.api('PATCH', `/apps/${app}/formation/web`, { quantity: n });
    if (r.status !== 200) { reason = `scaling web=${n}: ${r.status} ${JSON.stringify(r.body)}`; break; }
    const t0 = Date.now();
    try {
      await waitFor(`${n} idle dynos`, async () => {
        const size = (await slipwayMemory(platform.pid, platform.dataDir)).dynos.size;
        if (n > 0 && size === 0 && Date.now() - t0 > 20_000) throw new Error('no dyno process after 20 s');
        return size === n;
      }, 60_000 + n * 3000, 250);
    } catch {
      const seen = (await slipwayMemory(platform.pid, platform.dataDir)).dynos.size;
      reason = `web=${n} was accepted by the API but ${seen} dyno processes ran (no dyno manager serving the formation)`;
      break;
    }
    const settleMs = Date.now() - t0;
    await sleep(quick ? 1000 : 3000); // let them go idle
    const mem = await slipwayMemory(platform.pid, platform.dataDir);
    const api = await formationLatency(platform, app, calls);
    rows.push({
      dynos: n, settleMs, platformMb: round(mem.platformKb / MB, 1), dynosMb: round(mem.dynoKb / MB, 1),
      perDynoOwnMb: n > 0 ? round(mem.dynoKb / MB / n, 1) : null, processes: mem.platform.length, formationApiMs: api,
    });
    log(`density: ${n} dynos platform ${rows.at(-1).platformMb} MB, dynos ${rows.at(-1).dynosMb} MB, formation p50 ${api.p50} ms`);
  }
  await platform.api('PATCH', `/apps/${app}/formation/web`, { quantity: 0 }).catch(() => undefined);
  const base = rows[0];
  for (const row of rows.slice(1)) row.overheadPerDynoMb = round((row.platformMb - base.platformMb) / row.dynos, 2);
  const top = rows.at(-1);
  const result = { measured: reason === null, rows };
  if (reason !== null) Object.assign(result, notMeasured(reason), { rows });
  if (rows.length < 2) return result;
  result.ratios = [
    ratio(`platform overhead per dyno / the dyno's own RSS (${top.dynos} idle dynos)`, top.overheadPerDynoMb, top.perDynoOwnMb, '<=', 0.25, "the dyno's own RSS"),
    ratio(`GET formation p50 with ${top.dynos} dynos / with 0`, top.formationApiMs.p50, base.formationApiMs.p50, '<=', 2, 'same call, 0 dynos'),
  ];
  return result;
}
