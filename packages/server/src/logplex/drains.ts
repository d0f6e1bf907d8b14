/**
 * Log drains: the records live in the store (`drains` table); this keeps one worker per drain,
 * restores them at start, and fans each channel entry out to the app's workers.
 */
import { randomUUID } from 'node:crypto';
import type tls from 'node:tls';
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { DrainRecord, Store } from '../store/types.js';
import { createDrainWorker, type DrainTransport, type DrainWorker, type DrainWorkerStats } from './drain-worker.js';
import { rfc5424Seconds } from './format.js';
import { createHttpsTransport } from './https-transport.js';
import { frameEntry } from './syslog-frame.js';
import { createSyslogTransport } from './syslog-transport.js';
import type { LogEntry, LogSink } from './types.js';

export type DrainStore = Pick<Store, 'drains' | 'apps'>;

export interface DrainOptions {
  maxDrains: number;
  bufferLines: number;
  batchLines: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  /** Extra TLS options for `syslog+tls://` and `https://` drains (e.g. a private CA). */
  tls?: tls.ConnectionOptions;
}

export interface DrainManager {
  list(appId: string): Promise<DrainRecord[]>;
  add(appId: string, url: unknown): Promise<DrainRecord>;
  /** By id, url or token. */
  remove(appId: string, key: string): Promise<DrainRecord>;
  stats(drainId: string): DrainWorkerStats | undefined;
  deliver(appId: string, entry: LogEntry): void;
  appChanged(appId: string): Promise<void>;
  dropApp(appId: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const SCHEMES = ['syslog:', 'syslog+tls:', 'https:', 'http:'];

/** Checks a drain URL the way `heroku drains:add` needs it; throws InvalidParamsError. */
/** Longest drain URL accepted (a browser-safe URL length). */
export const MAX_DRAIN_URL_LENGTH = 2048;

export function parseDrainUrl(raw: unknown): URL {
  if (typeof raw !== 'string' || raw.trim() === '') throw new InvalidParamsError('Url must be given.', 'url');
  if (raw.length > MAX_DRAIN_URL_LENGTH) throw new InvalidParamsError(`Url is longer than ${MAX_DRAIN_URL_LENGTH} characters.`, 'url');
  // The URL parser silently drops tabs and line breaks; a drain URL holding them is refused instead.
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  if (/[\u0000-\u001f\u007f]/.test(raw.trim())) throw new InvalidParamsError('Url must not contain control characters (CR, LF, NUL…).', 'url');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InvalidParamsError(`Url is invalid: ${raw}`, 'url');
  }
  if (!SCHEMES.includes(url.protocol)) throw new InvalidParamsError(`Url must use one of syslog://, syslog+tls://, https:// (got ${url.protocol}//).`, 'url');
  if (url.hostname === '') throw new InvalidParamsError('Url must name a host.', 'url');
  if (url.protocol.startsWith('syslog') && url.port === '') throw new InvalidParamsError('Syslog drain urls need a port, e.g. syslog://logs.example.com:514.', 'url');
  return url;
}

export function createDrainManager(deps: {
  store: DrainStore;
  sink: LogSink;
  logger: Logger;
  options: DrainOptions;
}): DrainManager {
  const { store, logger, options } = deps;
  const workers = new Map<string, { appId: string; worker: DrainWorker }>();
  const byApp = new Map<string, Set<string>>();
  const appNames = new Map<string, string>();

  function transportFor(rec: DrainRecord): DrainTransport {
    const url = new URL(rec.url);
    if (url.protocol === 'syslog:' || url.protocol === 'syslog+tls:') {
      return createSyslogTransport({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port), tls: url.protocol === 'syslog+tls:' }, options.tls);
    }
    return createHttpsTransport(url, rec.token, options.tls);
  }

  function spawn(rec: DrainRecord): void {
    if (workers.has(rec.id)) return;
    const worker = createDrainWorker({
      transport: transportFor(rec),
      frame: (entry) => frameEntry(entry, appNames.get(rec.appId) ?? rec.appId),
      onOverflow: (dropped, since) => deps.sink.publish(rec.appId, {
        source: 'heroku',
        dyno: 'logplex',
        message: `Error L10 (output buffer overflow): ${dropped} messages dropped since ${rfc5424Seconds(since)}.`,
      }),
      logger: logger.child({ drain_id: rec.id, app_id: rec.appId }),
      options: { capacity: options.bufferLines, batchLines: options.batchLines, backoffMinMs: options.backoffMinMs, backoffMaxMs: options.backoffMaxMs },
    });
    workers.set(rec.id, { appId: rec.appId, worker });
    let set = byApp.get(rec.appId);
    if (!set) byApp.set(rec.appId, (set = new Set()));
    set.add(rec.id);
    worker.start();
  }

  async function retire(drainId: string): Promise<void> {
    const w = workers.get(drainId);
    if (!w) return;
    workers.delete(drainId);
    byApp.get(w.appId)?.delete(drainId);
    if (byApp.get(w.appId)?.size === 0) byApp.delete(w.appId);
    await w.worker.stop();
  }

  async function learnName(appId: string): Promise<void> {
    const app = await store.apps.get(appId);
    if (app) appNames.set(appId, app.name);
  }

  return {
    list: (appId) => store.drains.list(appId),
    async add(appId, raw) {
      const url = parseDrainUrl(raw);
      const existing = await store.drains.list(appId);
      if (existing.length >= options.maxDrains) throw new InvalidParamsError(`You can only have ${options.maxDrains} log drains per app.`, 'url');
      if (existing.some((d) => d.url === url.href || d.url === raw)) throw new InvalidParamsError('Url has already been taken.', 'url');
      const rec = await store.drains.create({ appId, url: typeof raw === 'string' ? raw.trim() : url.href, token: `d.${randomUUID()}` });
      await learnName(appId);
      spawn(rec);
      logger.info('logplex.drain_added', { app_id: appId, drain_id: rec.id });
      return rec;
    },
    async remove(appId, key) {
      const rec = await store.drains.get(appId, key);
      if (!rec) throw new NotFoundError('drain', "Couldn't find that log drain.");
      await store.drains.delete(rec.id);
      await retire(rec.id);
      return rec;
    },
    stats: (drainId) => workers.get(drainId)?.worker.stats(),
    deliver(appId, entry) {
      const ids = byApp.get(appId);
      if (!ids) return;
      for (const id of ids) workers.get(id)?.worker.push(entry);
    },
    appChanged: (appId) => (byApp.has(appId) ? learnName(appId) : Promise.resolve()),
    async dropApp(appId) {
      await Promise.all([...(byApp.get(appId) ?? [])].map(retire));
      appNames.delete(appId);
    },
    async start() {
      const all = await store.drains.listAll();
      for (const appId of new Set(all.map((d) => d.appId))) await learnName(appId);
      for (const rec of all) spawn(rec);
      logger.info('logplex.drains_restored', { drains: all.length });
    },
    async stop() {
      await Promise.all([...workers.keys()].map(retire));
    },
  };
}
