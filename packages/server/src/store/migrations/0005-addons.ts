/**
 * v5: add-ons (Heroku's nouns). An add-on is owned by one app and holds what its provider made
 * (`provider_state`, the provider's own JSON) and the values its attachments publish (`config`,
 * keyed by suffix: `{"URL": "postgres://…"}`). An attachment names an add-on on an app
 * (`DATABASE`, `HEROKU_POSTGRESQL_PINK`): that app's config gets `<NAME>_<SUFFIX>`. Names of
 * add-ons are unique platform-wide, attachment names per app.
 */
import { forBoth } from './types.js';

export const addons = forBoth(5, 'addons', (t) => `
CREATE TABLE addons (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  service TEXT NOT NULL,
  plan TEXT NOT NULL,
  state TEXT NOT NULL,
  provider_state ${t.json} NOT NULL,
  config ${t.json} NOT NULL,
  provision_message TEXT,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE INDEX addons_app ON addons (app_id);
CREATE TABLE addon_attachments (
  id TEXT PRIMARY KEY,
  addon_id TEXT NOT NULL REFERENCES addons(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  namespace TEXT,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  UNIQUE (app_id, name)
);
CREATE INDEX addon_attachments_addon ON addon_attachments (addon_id);
`);
