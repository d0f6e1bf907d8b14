/**
 * The routing table the API process publishes and the router process consumes (over SSE), and the
 * records the router sends back (log lines and per-request metrics). Plain JSON: no Dates.
 */
import type { DynoState } from '../store/types.js';

export interface RouterDyno {
  /** `web.1` */
  name: string;
  state: DynoState;
  host: string | null;
  port: number | null;
}

export interface RouterApp {
  appId: string;
  name: string;
  /** Lower-case hostnames without port: `<name>.<domain>` and custom domains. */
  hostnames: string[];
  maintenance: boolean;
  /** Max outstanding requests per dyno (`SLIPWAY_DYNO_CONCURRENCY`); null = unlimited. */
  concurrency: number | null;
  /** Web dynos in every state (H10 crashed / H14 none / H20 booting are told apart from them). */
  dynos: RouterDyno[];
  /**
   * The app may be scaled to zero (an active web autoscaling monitor with min 0): when no web dyno is
   * up or starting, a request wakes it instead of getting H14, and waits (within the boot timeout and
   * the queue bound) for its dyno — also in the moment between the wake and the dyno's start.
   */
  wakeable?: boolean;
}

export interface RoutingTable {
  /** Increases with every rebuild in one API process (informational). */
  version: number;
  apps: RouterApp[];
}

/** One `heroku[router]` line for an app's log channel. */
export interface RouterLogEntry {
  appId: string;
  line: { source: 'heroku'; dyno: 'router'; message: string; time?: string };
}

/** Per-request numbers for metrics and the autoscaler. */
export interface RouterMetric {
  appId: string;
  /** Epoch ms when the router received the request. */
  at: number;
  dyno: string | null;
  status: number;
  code: string | null;
  queueMs: number;
  connectMs: number | null;
  serviceMs: number | null;
  bytes: number;
}

export const EMPTY_TABLE: RoutingTable = Object.freeze({ version: 0, apps: [] }) as RoutingTable;
