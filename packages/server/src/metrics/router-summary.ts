/**
 * What the router knows about an app's requests in one interval, aggregated where the requests are
 * (the router process, possibly on another machine) and shipped as one record per app, process type
 * and 10 s interval — never one record per request. The same shape is stored for the 1 min and
 * 10 min tiers: `mergeRouterSummaries` adds counts and merges the sketches.
 */
import { z } from 'zod';
import { EMPTY_SKETCH, mergeSketches, type SketchData } from './sketch.js';

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';
export const STATUS_CLASSES: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx'];

export interface RouterSummary {
  appId: string;
  processType: string;
  /** Epoch ms of the interval's start (a multiple of `stepMs`). */
  start: number;
  stepMs: number;
  requests: number;
  /** Requests by status class of the response the client got (H-codes count as their status). */
  statuses: Partial<Record<StatusClass, number>>;
  /** Requests that ended with a router error code (`H12`…). */
  codes: Record<string, number>;
  /** Response body bytes. */
  bytes: number;
  /** Most requests in the router at once (from lookup to the log line) during the interval. */
  maxConcurrency: number;
  /** Time from connecting to the dyno until the response was relayed (Heroku's `service=`), ms. */
  service: SketchData;
  /** Time waiting in the router's queue for a dyno, ms. */
  queue: SketchData;
  /** From reading the request to relaying the whole response (queue, connect and service included), ms. */
  total: SketchData;
}

export function statusClass(status: number): StatusClass {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  if (status >= 200) return '2xx';
  return '1xx';
}

export function emptyRouterSummary(appId: string, processType: string, start: number, stepMs: number): RouterSummary {
  return {
    appId, processType, start, stepMs, requests: 0, statuses: {}, codes: {}, bytes: 0, maxConcurrency: 0,
    service: { ...EMPTY_SKETCH }, queue: { ...EMPTY_SKETCH }, total: { ...EMPTY_SKETCH },
  };
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [k, v] of Object.entries(from) as [K, number][]) into[k] = (into[k] ?? 0) + v;
}

/** The summary of `parts` over [start, start + stepMs): counts add up, sketches merge, concurrency is the max. */
export function mergeRouterSummaries(parts: readonly RouterSummary[], start: number, stepMs: number): RouterSummary {
  const first = parts[0];
  const out = emptyRouterSummary(first?.appId ?? '', first?.processType ?? 'web', start, stepMs);
  for (const p of parts) {
    out.requests += p.requests;
    out.bytes += p.bytes;
    out.maxConcurrency = Math.max(out.maxConcurrency, p.maxConcurrency);
    addCounts(out.statuses, p.statuses);
    addCounts(out.codes, p.codes);
  }
  out.service = mergeSketches(parts.map((p) => p.service));
  out.queue = mergeSketches(parts.map((p) => p.queue));
  out.total = mergeSketches(parts.map((p) => p.total));
  return out;
}

const count = z.number().int().nonnegative();
const sketchSchema = z.object({
  n: count, sum: z.number().nonnegative(), min: z.number().nonnegative(), max: z.number().nonnegative(), zero: count,
  bins: z.string().max(64_000).regex(/^[A-Za-z0-9+/]*={0,2}$/),
});
const summarySchema = z.object({
  appId: z.string().min(1).max(100),
  processType: z.string().regex(/^[a-zA-Z0-9_-]{1,30}$/),
  start: count, stepMs: z.number().int().positive(),
  requests: count,
  statuses: z.partialRecord(z.enum(['1xx', '2xx', '3xx', '4xx', '5xx']), count),
  codes: z.record(z.string().regex(/^H\d\d$/), count),
  bytes: count, maxConcurrency: count,
  service: sketchSchema, queue: sketchSchema, total: sketchSchema,
});

/** A summary as received from a router process, checked; undefined when it is not one. */
export function parseRouterSummary(raw: unknown): RouterSummary | undefined {
  const r = summarySchema.safeParse(raw);
  return r.success ? (r.data as RouterSummary) : undefined;
}
