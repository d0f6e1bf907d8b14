/**
 * The add-on provider interface: one implementation per service (`heroku-postgresql`,
 * `heroku-redis`, `scheduler`…), registered by name (registry.ts), so a new service plugs in without
 * touching the API or the add-on service. Providers pass the shared contract suite
 * (`provider.case.ts`).
 *
 * Rules every provider keeps:
 * - `provision` either succeeds or leaves nothing behind: a failure part-way undoes what it made
 *   before it throws (a database without its role, a server without its data dir…).
 * - `deprovision` is idempotent: what is already gone is not an error.
 * - Secrets are random (crypto), never derived from names.
 * - Returned `config` values are strings keyed by suffix (`URL`); an attachment named `DATABASE`
 *   publishes them as `DATABASE_URL` on its app.
 * - Long-lived servers are the provider's to supervise: `start` re-adopts or restarts what earlier
 *   platforms made (the add-ons of its service are passed in), `stop` stops only what it must.
 */
import type { SlipwayError } from '../errors.js';

/** A plan's limits; a provider enforces the ones it can and says which in its docs. */
export interface PlanLimits {
  /** Maximum client connections. */
  connections?: number;
  /** Memory for the add-on's server (dedicated plans) or maxmemory (Redis). */
  memoryMb?: number;
  /** Storage, advisory (rows for Heroku's legacy plans). */
  storageMb?: number;
  /** True when the add-on gets a server of its own; false when it shares one. */
  dedicated: boolean;
}

export interface PlanSpec {
  /** The plan's own name: `essential-0` (Heroku's full name is `heroku-postgresql:essential-0`). */
  name: string;
  /** `Essential 0` */
  humanName: string;
  /** The plan used when `addons:create SERVICE` names none. */
  default?: boolean;
  /** Heroku's list price, for the CLI's price column (Slipway bills nothing). */
  priceCents: number;
  limits: PlanLimits;
}

export interface ServiceSpec {
  /** `heroku-postgresql` */
  name: string;
  /** `Heroku Postgres` */
  humanName: string;
  /** Stable id (a UUID) for the API. */
  id: string;
  /** `postgresql` in `postgresql-curved-12345`. */
  addonNamePrefix: string;
  /** The first attachment's name on an app: `DATABASE`. */
  defaultAttachmentName: string;
  /** Further attachments on the same app: `HEROKU_POSTGRESQL` + `_PINK`. */
  alternateAttachmentPrefix: string;
  /** The config var suffixes the add-on publishes (`['URL']`). */
  configSuffixes: readonly string[];
  plans: readonly PlanSpec[];
}

/** The add-on as a provider sees it. */
export interface AddonHandle {
  id: string;
  name: string;
  plan: PlanSpec;
  /** What `provision` (or the last `rotateCredentials`) returned as `state`. */
  state: Record<string, unknown>;
}

export interface AppRef {
  id: string;
  name: string;
}

export interface ProvisionRequest {
  /** Chosen by the platform before provisioning (the row is reserved in state `provisioning`). */
  id: string;
  name: string;
  plan: PlanSpec;
  /** The owning app. */
  app: AppRef;
  /** `addons:create … -- --version 15`: the provider validates and may refuse (InvalidParamsError). */
  options: Record<string, string | boolean>;
}

export interface Provisioned {
  /** Opaque to everyone but the provider; stored with the add-on. */
  state: Record<string, unknown>;
  /** Values by suffix: `{ URL: 'postgres://u:p@10.213.0.1:5433/d' }`. */
  config: Record<string, string>;
  /** Printed by the CLI after creation, if set. */
  message?: string;
}

/** One `pg:info`-style row: `{ name: 'Plan', values: ['Essential 0'] }`. */
export interface InfoRow {
  name: string;
  values: string[];
}

export interface Provider {
  readonly service: ServiceSpec;
  /** Re-adopts or restarts the servers of these add-ons (platform start). */
  start(addons: readonly AddonHandle[]): Promise<void>;
  /** `all`: stop servers too; `control-plane`: leave them serving for the next start. */
  stop(mode: 'all' | 'control-plane'): Promise<void>;
  provision(req: ProvisionRequest): Promise<Provisioned>;
  /** Lets this app's dynos reach the add-on (network rules, allow lists). Idempotent. */
  bind(addon: AddonHandle, app: AppRef): Promise<void>;
  /** Takes that away again. Idempotent. */
  unbind(addon: AddonHandle, app: AppRef): Promise<void>;
  /** Removes everything the add-on made, data included. Idempotent. */
  deprovision(addon: AddonHandle): Promise<void>;
  info(addon: AddonHandle): Promise<InfoRow[]>;
  /** New random credentials; the old ones stop working. Returns the new state and config. */
  rotateCredentials(addon: AddonHandle): Promise<Provisioned>;
  /**
   * Removes what the provider made for add-ons that are not in `live` (their app was destroyed, or
   * the platform died between provisioning and recording): returns the names it removed. Never
   * touches what it did not make (an operator's own databases on a shared server).
   */
  prune(live: readonly AddonHandle[]): Promise<string[]>;
  /**
   * Ports on the platform's host where the add-on's server listens: a runtime that firewalls dynos
   * from the host (runc) opens exactly these to the dynos of the apps it is attached to. Omit for a
   * service without a server (a scheduler).
   */
  hostPorts?(addon: AddonHandle): number[];
}

/** A provider's own failure (server would not start, disk full): the API answers 503 `unavailable`. */
export type ProviderError = SlipwayError;

/**
 * Called by a provider before each named step of `provision` (`role`, `database`, `server`…). The
 * platform passes none; the contract suite passes one that throws at a chosen step, to prove that
 * a provision failing there leaves nothing behind.
 */
export type StepHook = (step: string) => void;
