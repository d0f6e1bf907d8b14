/**
 * Monitors: Heroku's noun for a process type's autoscaling policy (heroku-contract.md A13, C6). The
 * official CLI's `ps:autoscale:enable` creates or patches the type's `scale` monitor, `disable`
 * patches it inactive. Slipway adds a queue-time target, worker scaling on a logged metric, scale to
 * zero (min 0 with an idle time) and the decision strategy. Every change is recorded in the audit
 * log and said on the app's log channel. Throws SlipwayErrors; the API maps them.
 */
import { MAX_QUANTITY } from '../apps/index.js';
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { EventBus } from '../events/index.js';
import type { LogSink } from '../logplex/types.js';
import type { AppRecord, MonitorRecord, Store, UserRecord } from '../store/types.js';
import type { AutoscalePolicy } from './decide.js';

export const LATENCY_SCALE = 'LATENCY_SCALE';
export const METRIC_SCALE = 'METRIC_SCALE';
export const STRATEGIES = ['slipway', 'heroku'] as const;
/** Heroku's default p95 target when `--p95` is not given. */
export const DEFAULT_P95_MS = 1000;

export interface MonitorChange {
  action_type?: string;
  is_active?: boolean;
  name?: string;
  op?: string;
  period?: number;
  value?: number;
  min_quantity?: number;
  max_quantity?: number;
  notification_channels?: string[];
  notification_period?: number;
  queue_time_ms?: number | null;
  metric?: string | null;
  idle_ms?: number | null;
  strategy?: (typeof STRATEGIES)[number];
}

export interface MonitorServiceDeps {
  store: Store;
  logs: LogSink;
  /** Told of every change (the router feed marks apps scaled to zero as idle). */
  events?: EventBus;
}

/** The policy the decision reads from a scale monitor. */
export function policyOf(m: MonitorRecord): AutoscalePolicy {
  const metric = m.name === METRIC_SCALE && m.metric ? { name: m.metric, perDyno: m.value } : null;
  return {
    min: m.minQuantity, max: m.maxQuantity,
    p95Ms: metric ? null : m.value,
    queueMs: m.queueTimeMs,
    metric,
    idleMs: m.minQuantity === 0 ? m.idleMs : null,
  };
}

/** An active scale monitor allows 0 dynos: the type may be scaled to zero, and a request wakes it. */
export function scalesToZero(monitors: readonly MonitorRecord[]): boolean {
  return monitors.some((m) => m.actionType === 'scale' && m.isActive && m.minQuantity === 0);
}

/** `web: min 1, max 10, p95 500 ms` — how a policy is said in log lines and the CLI. */
export function describePolicy(m: MonitorRecord): string {
  const p = policyOf(m);
  const target = p.metric ? `${p.metric.name} ${p.metric.perDyno} per dyno` : `p95 ${p.p95Ms} ms`;
  const queue = p.queueMs !== null ? `, queue ${p.queueMs} ms` : '';
  const idle = p.idleMs !== null ? `, idle ${Math.round(p.idleMs / 1000)} s` : '';
  return `${m.processType}: min ${p.min}, max ${p.max}, ${target}${queue}${idle}`;
}

function validate(m: Omit<MonitorRecord, 'id' | 'createdAt' | 'updatedAt'>): void {
  const bad = (field: string, message: string) => new InvalidParamsError(message, field);
  if (m.maxQuantity > MAX_QUANTITY) throw bad('max_quantity', `max_quantity must be at most ${MAX_QUANTITY}.`);
  if (m.minQuantity > m.maxQuantity) throw bad('min_quantity', `min_quantity (${m.minQuantity}) must not be above max_quantity (${m.maxQuantity}).`);
  if (m.actionType === 'scale' && m.maxQuantity < 1) throw bad('max_quantity', 'max_quantity must be at least 1.');
  if (m.minQuantity === 0 && m.actionType === 'scale' && m.idleMs === null) {
    throw bad('idle_ms', 'min_quantity 0 scales to zero: give idle_ms, how long without a request before the dynos stop.');
  }
  if (m.name === METRIC_SCALE && !m.metric) throw bad('metric', `${METRIC_SCALE} needs the l2met metric to scale on (e.g. "queue_depth").`);
  if (m.name !== METRIC_SCALE && m.name !== LATENCY_SCALE && m.actionType === 'scale') {
    throw bad('name', `A scale monitor is ${LATENCY_SCALE} (p95 in value) or ${METRIC_SCALE} (a logged metric per dyno in value).`);
  }
}

export function createMonitorService(deps: MonitorServiceDeps) {
  const { store, logs } = deps;

  async function requireType(app: AppRecord, type: string): Promise<void> {
    if (!(await store.formation.get(app.id, type))) throw new NotFoundError('formation', `${app.name} does not have any ${type} dynos to scale.`);
  }

  async function announce(user: UserRecord, app: AppRecord, action: string, text: string, data: Record<string, unknown>): Promise<void> {
    deps.events?.emit('autoscale.changed', { appId: app.id, type: String(data.type ?? 'web') });
    const message = `${text} by user ${user.email}`;
    await store.audit.record({ appId: app.id, userId: user.id, action, message, data });
    logs.publish(app.id, { source: 'app', dyno: 'api', message });
  }

  async function get(app: AppRecord, type: string, id: string): Promise<MonitorRecord> {
    const m = await store.monitors.get(app.id, id);
    if (!m || m.processType !== type) throw new NotFoundError('monitor');
    return m;
  }

  return {
    /** A type's monitors; 404 for a type the app neither runs nor has monitors for. */
    async list(app: AppRecord, type: string): Promise<MonitorRecord[]> {
      const monitors = await store.monitors.list(app.id, type);
      if (monitors.length === 0) await requireType(app, type);
      return monitors;
    },
    /** Every monitor of the app, all types. */
    async listAll(app: AppRecord): Promise<MonitorRecord[]> {
      return store.monitors.list(app.id);
    },
    get,
    async create(user: UserRecord, app: AppRecord, type: string, input: MonitorChange): Promise<MonitorRecord> {
      await requireType(app, type);
      const actionType = input.action_type ?? 'scale';
      if (actionType === 'scale' && (await store.monitors.list(app.id, type)).some((m) => m.actionType === 'scale')) {
        throw new InvalidParamsError(`${type} already has a scale monitor: PATCH it instead.`, 'action_type');
      }
      const record = {
        appId: app.id, processType: type, actionType,
        name: input.name ?? (input.metric ? METRIC_SCALE : LATENCY_SCALE),
        isActive: input.is_active ?? true, op: input.op ?? 'GREATER_OR_EQUAL', period: input.period ?? 1,
        value: input.value ?? DEFAULT_P95_MS, minQuantity: input.min_quantity ?? 1, maxQuantity: input.max_quantity ?? 1,
        notificationChannels: input.notification_channels ?? [], notificationPeriod: input.notification_period ?? 1440,
        queueTimeMs: input.queue_time_ms ?? null, metric: input.metric ?? null, idleMs: input.idle_ms ?? null,
        strategy: input.strategy ?? 'slipway',
      };
      validate(record);
      const m = await store.monitors.create(record);
      if (m.actionType === 'scale' && m.isActive) await announce(user, app, 'autoscale.enable', `Enable autoscaling ${describePolicy(m)}`, { monitor: m.id, type: m.processType });
      return m;
    },
    async update(user: UserRecord, app: AppRecord, type: string, id: string, input: MonitorChange): Promise<MonitorRecord> {
      const before = await get(app, type, id);
      const patch = {
        actionType: input.action_type, name: input.name, isActive: input.is_active, op: input.op, period: input.period, value: input.value,
        minQuantity: input.min_quantity, maxQuantity: input.max_quantity, notificationChannels: input.notification_channels,
        notificationPeriod: input.notification_period, queueTimeMs: input.queue_time_ms, metric: input.metric, idleMs: input.idle_ms,
        strategy: input.strategy,
      };
      const merged = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as MonitorRecord;
      validate(merged);
      const m = await store.monitors.update(id, patch);
      if (m.actionType === 'scale') {
        if (before.isActive && !m.isActive) await announce(user, app, 'autoscale.disable', `Disable autoscaling ${m.processType}`, { monitor: m.id, type: m.processType });
        else if (m.isActive) await announce(user, app, 'autoscale.enable', `Enable autoscaling ${describePolicy(m)}`, { monitor: m.id, type: m.processType });
      }
      return m;
    },
    async remove(user: UserRecord, app: AppRecord, type: string, id: string): Promise<MonitorRecord> {
      const m = await get(app, type, id);
      await store.monitors.delete(id);
      if (m.actionType === 'scale' && m.isActive) await announce(user, app, 'autoscale.disable', `Disable autoscaling ${m.processType}`, { monitor: m.id, type: m.processType });
      return m;
    },
    /** The active scale monitor of a type, if any (the scale API checks manual scaling against it). */
    async activeScale(appId: string, type: string): Promise<MonitorRecord | undefined> {
      return (await store.monitors.list(appId, type)).find((m) => m.actionType === 'scale' && m.isActive);
    },
  };
}

export type MonitorService = ReturnType<typeof createMonitorService>;
