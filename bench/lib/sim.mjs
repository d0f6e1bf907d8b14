// Discrete-event models of 10 single-request dynos fed one arrival/service sequence: the ideal
// central FCFS queue (M/G/c, the limit no router can beat), and the routing policies under test
// without any proxy overhead (random, round-robin, least-outstanding / join-shortest-queue).
import { exponential, rng, weibull, weibullMean } from './stats.mjs';

/**
 * The seeded workload: Poisson arrivals at `utilisation` of `dynos` servers, Weibull service times.
 * @returns {{ arrivals: number[], services: number[], ratePerSec: number, meanServiceMs: number }}
 */
export function workload({ seed, dynos, utilisation, shape, medianMs, seconds }) {
  const rand = rng(seed);
  const meanServiceMs = weibullMean(shape, medianMs);
  const ratePerMs = (utilisation * dynos) / meanServiceMs;
  const arrivals = [];
  const services = [];
  let t = 0;
  for (;;) {
    t += exponential(rand, ratePerMs);
    if (t > seconds * 1000) break;
    arrivals.push(t);
    services.push(weibull(rand, shape, medianMs));
  }
  return { arrivals, services, ratePerSec: ratePerMs * 1000, meanServiceMs };
}

/** One FCFS queue in front of all `c` servers: each request starts on the first server to free up. */
export function centralQueue(arrivals, services, c) {
  const free = new Array(c).fill(0);
  return arrivals.map((a, i) => {
    let k = 0;
    for (let j = 1; j < c; j++) if (free[j] < free[k]) k = j;
    const start = Math.max(a, free[k]);
    free[k] = start + services[i];
    return { queue: start - a, response: start - a + services[i] };
  });
}

/**
 * Each request is sent to one dyno at arrival (`pick`) and waits in that dyno's own FIFO queue.
 * `pick(i, outstanding)` sees, per dyno, the requests sent to it and not yet finished.
 */
export function perDynoQueues(arrivals, services, c, pick) {
  const busyUntil = new Array(c).fill(0);
  const finishes = Array.from({ length: c }, () => []);
  return arrivals.map((a, i) => {
    const outstanding = finishes.map((list) => {
      while (list.length > 0 && list[0] <= a) list.shift();
      return list.length;
    });
    const k = pick(i, outstanding);
    const start = Math.max(a, busyUntil[k]);
    busyUntil[k] = start + services[i];
    finishes[k].push(busyUntil[k]);
    return { queue: start - a, response: start - a + services[i] };
  });
}

export const policies = {
  random: (seed) => {
    const rand = rng(seed);
    return (_i, out) => Math.floor(rand() * out.length);
  },
  roundRobin: () => (i, out) => i % out.length,
  leastOutstanding: (seed) => {
    const rand = rng(seed);
    return (_i, out) => {
      const min = Math.min(...out);
      const best = out.flatMap((n, k) => (n === min ? [k] : []));
      return best[Math.floor(rand() * best.length)];
    };
  },
};
