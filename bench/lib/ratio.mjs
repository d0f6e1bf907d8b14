// A ratio of Slipway's figure to its peer's, with the goal it is held to.
import { round } from './stats.mjs';

/**
 * @param {string} what   what is compared, e.g. "added p50 latency, Slipway router / nginx"
 * @param {number} ours
 * @param {number} peer
 * @param {'<='|'>='} op
 * @param {number} goal
 */
export function ratio(what, ours, peer, op, goal, peerName) {
  const value = Number.isFinite(ours) && Number.isFinite(peer) && peer !== 0 ? ours / peer : NaN;
  const met = Number.isFinite(value) ? (op === '<=' ? value <= goal : value >= goal) : null;
  return { what, peer: peerName, ours: round(ours, 3), peerValue: round(peer, 3), value: round(value, 3), goal: `${op} ${goal}`, met };
}

/**
 * Slipway's figure minus its peer's, held to an absolute allowance (`maxMs`): for goals such as
 * "a dyno start within bare `runc run` + 100 ms", where a ratio would hide a fixed cost.
 */
export function difference(what, ours, peer, maxMs, peerName) {
  const value = Number.isFinite(ours) && Number.isFinite(peer) ? ours - peer : NaN;
  return { what, kind: 'difference', peer: peerName, ours: round(ours, 3), peerValue: round(peer, 3), value: round(value, 3), goal: `<= +${maxMs} ms`, met: Number.isFinite(value) ? value <= maxMs : null };
}

export function notMeasured(reason) {
  return { measured: false, reason };
}
