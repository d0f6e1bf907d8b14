/** Add-ons and their attachments (migration v5). */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { AddonAttachmentRecord, AddonAttachmentRepo, AddonRecord, AddonRepo, AddonState } from '../types.js';
import type { RepoDeps } from './deps.js';
import { fromJson, setClause, toDate, toJson, toStr, toStrOrNull } from './rows.js';

const toAddon = (r: Row): AddonRecord => ({
  id: toStr(r.id),
  name: toStr(r.name),
  appId: toStr(r.app_id),
  service: toStr(r.service),
  plan: toStr(r.plan),
  state: toStr(r.state) as AddonState,
  providerState: fromJson<Record<string, unknown>>(r.provider_state, {}),
  config: fromJson<Record<string, string>>(r.config, {}),
  provisionMessage: toStrOrNull(r.provision_message),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const toAttachment = (r: Row): AddonAttachmentRecord => ({
  id: toStr(r.id),
  addonId: toStr(r.addon_id),
  appId: toStr(r.app_id),
  name: toStr(r.name),
  namespace: toStrOrNull(r.namespace),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const ADDON_COLUMNS = {
  state: { column: 'state' },
  providerState: { column: 'provider_state', encode: toJson },
  config: { column: 'config', encode: toJson },
  plan: { column: 'plan' },
  provisionMessage: { column: 'provision_message' },
};

/** `$1, $2, …` for a list of ids (the ids are parameters, never SQL). */
function placeholders(params: unknown[], values: readonly string[]): string {
  return values.map((v) => {
    params.push(v);
    return `$${params.length}`;
  }).join(', ');
}

export function createAddonRepo({ db, clock }: RepoDeps): AddonRepo {
  return {
    async create(a) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO addons (id, name, app_id, service, plan, state, provider_state, config, provision_message, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING *`,
        [a.id ?? randomUUID(), a.name, a.appId, a.service, a.plan, a.state, toJson(a.providerState), toJson(a.config), a.provisionMessage, now],
      );
      return toAddon(row!);
    },
    async get(id) {
      const row = await db.one('SELECT * FROM addons WHERE id = $1', [id]);
      return row && toAddon(row);
    },
    async findByName(name) {
      const row = await db.one('SELECT * FROM addons WHERE name = $1', [name]);
      return row && toAddon(row);
    },
    async listByApp(appId) {
      return (await db.query('SELECT * FROM addons WHERE app_id = $1 ORDER BY created_at, id', [appId])).map(toAddon);
    },
    async listByApps(appIds) {
      if (appIds.length === 0) return [];
      const params: unknown[] = [];
      return (await db.query(`SELECT * FROM addons WHERE app_id IN (${placeholders(params, appIds)}) ORDER BY created_at, id`, params)).map(toAddon);
    },
    async listByService(service) {
      return (await db.query('SELECT * FROM addons WHERE service = $1 ORDER BY created_at, id', [service])).map(toAddon);
    },
    async update(id, patch) {
      const params: unknown[] = [];
      const sets = setClause(patch, ADDON_COLUMNS, params);
      params.push(clock());
      sets.push(`updated_at = $${params.length}`);
      params.push(id);
      const row = await db.one(`UPDATE addons SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING *`, params);
      if (!row) throw new NotFoundError('add on');
      return toAddon(row);
    },
    async delete(id) {
      await db.tx(async (tx) => {
        await tx.run('DELETE FROM addon_attachments WHERE addon_id = $1', [id]);
        await tx.run('DELETE FROM addons WHERE id = $1', [id]);
      });
    },
  };
}

export function createAddonAttachmentRepo({ db, clock }: RepoDeps): AddonAttachmentRepo {
  return {
    async create(a) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO addon_attachments (id, addon_id, app_id, name, namespace, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
        [a.id ?? randomUUID(), a.addonId, a.appId, a.name, a.namespace, now],
      );
      return toAttachment(row!);
    },
    async get(id) {
      const row = await db.one('SELECT * FROM addon_attachments WHERE id = $1', [id]);
      return row && toAttachment(row);
    },
    async find(appId, name) {
      const row = await db.one('SELECT * FROM addon_attachments WHERE app_id = $1 AND name = $2', [appId, name]);
      return row && toAttachment(row);
    },
    async listByAddon(addonId) {
      return (await db.query('SELECT * FROM addon_attachments WHERE addon_id = $1 ORDER BY created_at, id', [addonId])).map(toAttachment);
    },
    async listByApp(appId) {
      return (await db.query('SELECT * FROM addon_attachments WHERE app_id = $1 ORDER BY created_at, id', [appId])).map(toAttachment);
    },
    async listByApps(appIds) {
      if (appIds.length === 0) return [];
      const params: unknown[] = [];
      return (await db.query(`SELECT * FROM addon_attachments WHERE app_id IN (${placeholders(params, appIds)}) ORDER BY created_at, id`, params)).map(toAttachment);
    },
    async delete(id) {
      await db.run('DELETE FROM addon_attachments WHERE id = $1', [id]);
    },
  };
}
