/**
 * The autoscale room: monitors (Heroku's autoscaling policies), the pure decision, and the
 * autoscaler loop that writes the formation (desired state) from the metrics. This file is the
 * room's only door.
 */
export { decide, dynosNeeded, herokuPolicy, DOWN_UTILIZATION, UP_UTILIZATION, UP_SETTLE_MS, HEROKU_PERIOD_MS } from './decide.js';
export type { AutoscalePolicy, DecideInput, Decision, LoadSample } from './decide.js';
export { createMonitorService, describePolicy, policyOf, scalesToZero, DEFAULT_P95_MS, LATENCY_SCALE, METRIC_SCALE, STRATEGIES } from './monitors.js';
export type { MonitorChange, MonitorService, MonitorServiceDeps } from './monitors.js';
export { createAutoscaler, combine, concurrencyOf } from './autoscaler.js';
export type { Autoscaler, AutoscalerDeps, AutoscaleSignals } from './autoscaler.js';
export { createWaker } from './wake.js';
export type { Waker, WakerDeps } from './wake.js';
export { metricsSignals } from './signals.js';
