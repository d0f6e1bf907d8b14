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

export function notMeasured(reason) {
  return { measured: false, reason };
}
