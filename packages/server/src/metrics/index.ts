/**
 * The metrics room's door. Router side: `createRouterAggregator` (per app, per 10 s interval,
 * DDSketch histograms and counts). API side: ingest into the store's tiers, queries, the JSON API
 * and the Prometheus exposition. See docs/metrics.md.
 */
export { createRouterAggregator, ROUTER_INTERVAL_MS } from './router-aggregator.js';
export type { RouterAggregator, RouterMetricsRecorder, RequestSample } from './router-aggregator.js';
export { parseRouterSummary, mergeRouterSummaries, statusClass, STATUS_CLASSES } from './router-summary.js';
export type { RouterSummary, StatusClass } from './router-summary.js';
export { quantile, mergeSketches, RELATIVE_ACCURACY } from './sketch.js';
export type { SketchData } from './sketch.js';
export { createMetrics, METRIC_NAMES } from './metrics.js';
export type { Metrics, MetricsDeps, Series, SeriesPoint, SeriesQuery, LiveUpdate, LatestRouterMetrics } from './metrics.js';
export { TIERS, MAX_POINTS } from './tiers.js';
export { createPrometheusExposition } from './prometheus.js';
export type { PrometheusExposition } from './prometheus.js';
export { createRecentRouterReader } from './recent-router.js';
export type { RecentRouterReader, RouterInterval } from './recent-router.js';
export type { DynoSample } from './dyno-series.js';
export { recordPlatformEvents, releaseEventType } from './platform-events.js';
export type { PlatformEventRecorder } from './platform-events.js';
export { MAX_LOG_SERIES, parseL2met } from './log-metrics.js';
export { createRecentLogReader } from './recent-log.js';
export type { RecentLogReader } from './recent-log.js';
