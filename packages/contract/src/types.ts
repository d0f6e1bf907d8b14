/**
 * Platform API v3 resource shapes, as Heroku's schema and the official CLI use them
 * (see shared/heroku-contract.md A24). Timestamps are ISO-8601 strings in UTC.
 */
export interface Ref { id: string; name?: string }
export interface UserRef { id: string; email: string }
export interface AppRef { id: string; name: string }

export interface Account {
  id: string;
  email: string;
  name: string | null;
  allow_tracking: boolean;
  beta: boolean;
  created_at: string;
  updated_at: string;
  last_login: string | null;
  two_factor_authentication: boolean;
  verified: boolean;
  default_organization: null;
  default_team: null;
  /** Slipway extension: may create users. */
  admin: boolean;
}

export interface App {
  id: string;
  name: string;
  acm: boolean;
  archived_at: string | null;
  buildpack_provided_description: string | null;
  build_stack: Ref;
  stack: Ref;
  created_at: string;
  updated_at: string;
  released_at: string | null;
  git_url: string;
  web_url: string;
  internal_routing: boolean | null;
  maintenance: boolean;
  organization: null;
  team: null;
  space: null;
  owner: UserRef;
  region: Ref;
  repo_size: number | null;
  slug_size: number | null;
  generation: Ref;
  process_tier: string;
}

export type ConfigVars = Record<string, string>;
export type ConfigVarsPatch = Record<string, string | null>;

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed' | 'expired';
export interface Release {
  id: string;
  version: number;
  description: string;
  status: ReleaseStatus;
  current: boolean;
  eligible_for_rollback: boolean;
  created_at: string;
  updated_at: string;
  user: UserRef;
  app: AppRef;
  slug: { id: string } | null;
  addon_plan_names: string[];
  output_stream_url: string | null;
}

export interface Formation {
  id: string;
  app: AppRef;
  type: string;
  quantity: number;
  size: string;
  command: string;
  created_at: string;
  updated_at: string;
}

/**
 * A monitor: Heroku's autoscaling policy of a process type (the metrics host's
 * `/apps/{app}/formation/{type}/monitors`), with Slipway's fields (docs/autoscaling.md).
 */
export interface Monitor {
  id: string;
  app: AppRef;
  process_type: string;
  /** `scale` or `alert`. */
  action_type: string;
  /** `LATENCY_SCALE` (p95 ms in `value`) or `METRIC_SCALE` (`metric` per dyno in `value`). */
  name: string;
  is_active: boolean;
  op: string;
  period: number;
  value: number;
  min_quantity: number;
  max_quantity: number;
  notification_channels: string[];
  notification_period: number;
  queue_time_ms: number | null;
  metric: string | null;
  idle_ms: number | null;
  /** `slipway` or `heroku`. */
  strategy: string;
  created_at: string;
  updated_at: string;
}

export type DynoState = 'starting' | 'up' | 'crashed' | 'down' | 'idle';
export interface Dyno {
  id: string;
  app: AppRef;
  name: string;
  type: string;
  state: DynoState;
  command: string;
  size: string;
  attach_url: string | null;
  created_at: string;
  updated_at: string;
  release: { id: string; version: number } | null;
}

export interface Domain {
  id: string;
  app: AppRef;
  hostname: string;
  kind: 'heroku' | 'custom';
  cname: string | null;
  status: string;
  sni_endpoint: null | { id: string; name: string };
  acm_status: string | null;
  acm_status_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface Collaborator {
  id: string;
  app: AppRef;
  user: UserRef & { federated: boolean };
  role: 'owner' | 'collaborator';
  permissions: { name: string }[];
  created_at: string;
  updated_at: string;
}

export type BuildStatus = 'pending' | 'succeeded' | 'failed';
export interface Build {
  id: string;
  app: AppRef;
  status: BuildStatus;
  buildpacks: { url: string; name: string }[];
  output_stream_url: string;
  release: { id: string } | null;
  slug: { id: string } | null;
  source_blob: { url: string; checksum: string | null; version: string | null; version_description: string | null };
  stack: string;
  user: UserRef;
  created_at: string;
  updated_at: string;
}

export interface Slug {
  id: string;
  app: AppRef;
  checksum: string | null;
  commit: string | null;
  commit_description: string | null;
  buildpack_provided_description: string | null;
  process_types: Record<string, string>;
  size: number | null;
  stack: Ref;
  blob: { method: string; url: string };
  created_at: string;
  updated_at: string;
}

export interface BuildpackInstallation {
  ordinal: number;
  buildpack: { url: string; name: string };
}

export interface LogSession {
  id: string;
  logplex_url: string;
  created_at: string;
  updated_at: string;
}

export interface LogDrain {
  id: string;
  url: string;
  token: string;
  addon: null;
  app: AppRef;
  created_at: string;
  updated_at: string;
}

export const ACCEPT_V3 = 'application/vnd.heroku+json; version=3';

/** A machine of the Swarm cluster as the nodes API shows it (`GET /nodes`; not part of Heroku's API). */
export interface SwarmNode {
  id: string;
  hostname: string;
  role: string;
  leader: boolean;
  state: string;
  availability: string;
  address: string | null;
  cpus: number;
  memory_bytes: number;
  reserved: { cpus: number; memory_bytes: number };
  /** From the node agent's last summary; null when it has not reported lately. */
  used: { cpu_cores: number; memory_bytes: number; memory_available_bytes: number; load1: number; reported_at: string } | null;
  dynos: { app: string; dyno: string; state: string }[];
}
