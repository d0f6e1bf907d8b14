/**
 * v1: the initial schema. Every table that belongs to an app references `apps(id) ON DELETE
 * CASCADE`, so deleting an app deletes everything it owns in one statement. Ids are UUID text.
 */
import { forBoth } from './types.js';

export const initial = forBoth(1, 'initial', (t) => `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  admin ${t.bool} NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE UNIQUE INDEX users__email_lower ON users (lower(email));

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  created_at ${t.ts} NOT NULL,
  last_used_at ${t.ts}
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL REFERENCES users(id),
  region TEXT NOT NULL,
  stack TEXT NOT NULL,
  maintenance ${t.bool} NOT NULL,
  preboot ${t.bool} NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  released_at ${t.ts}
);
CREATE INDEX apps_owner ON apps (owner_id);

CREATE TABLE collaborators (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  UNIQUE (app_id, user_id)
);
CREATE INDEX collaborators_user ON collaborators (user_id);

CREATE TABLE config_vars (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (app_id, key)
);

CREATE TABLE slugs (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  checksum TEXT,
  size ${t.bigint},
  process_types ${t.json} NOT NULL,
  commit_sha TEXT,
  commit_description TEXT,
  buildpack_provided_description TEXT,
  stack TEXT NOT NULL,
  blob_path TEXT,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE INDEX slugs_app ON slugs (app_id, created_at);

CREATE TABLE releases (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  version ${t.int} NOT NULL,
  slug_id TEXT REFERENCES slugs(id) ON DELETE SET NULL,
  config ${t.json} NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  UNIQUE (app_id, version)
);

CREATE TABLE builds (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  source_url TEXT NOT NULL,
  source_version TEXT,
  source_checksum TEXT,
  buildpacks ${t.json} NOT NULL,
  slug_id TEXT REFERENCES slugs(id) ON DELETE SET NULL,
  release_id TEXT REFERENCES releases(id) ON DELETE SET NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE INDEX builds_app ON builds (app_id, created_at);

CREATE TABLE buildpacks (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  ordinal ${t.int} NOT NULL,
  url TEXT NOT NULL,
  PRIMARY KEY (app_id, ordinal)
);

CREATE TABLE formations (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  quantity ${t.int} NOT NULL,
  size TEXT NOT NULL,
  command TEXT NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  UNIQUE (app_id, type)
);

CREATE TABLE dynos (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  command TEXT NOT NULL,
  size TEXT NOT NULL,
  state TEXT NOT NULL,
  release_id TEXT REFERENCES releases(id) ON DELETE SET NULL,
  release_version ${t.int},
  host TEXT,
  port ${t.int},
  driver_ref ${t.json},
  attach ${t.bool} NOT NULL,
  restart_count ${t.int} NOT NULL,
  exit_code ${t.int},
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  UNIQUE (app_id, name)
);

CREATE TABLE domains (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  hostname TEXT NOT NULL,
  kind TEXT NOT NULL,
  cname TEXT,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE UNIQUE INDEX domains__hostname_lower ON domains (lower(hostname));
CREATE INDEX domains_app ON domains (app_id);

CREATE TABLE audit_events (
  seq ${t.serial},
  id TEXT NOT NULL UNIQUE,
  app_id TEXT REFERENCES apps(id) ON DELETE CASCADE,
  user_id TEXT REFERENCES users(id),
  action TEXT NOT NULL,
  message TEXT NOT NULL,
  data ${t.json} NOT NULL,
  created_at ${t.ts} NOT NULL
);
CREATE INDEX audit_events_app ON audit_events (app_id, seq);

CREATE TABLE drains (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  UNIQUE (app_id, url)
);
`);
