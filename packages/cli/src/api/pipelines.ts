/** Pipeline look-ups shared by the `pipelines:*` commands (heroku-contract-2.md C1). */
import type { App, Pipeline, PipelineCoupling, PipelineStageName } from '@slipway/contract';
import { path, type ApiClient } from './client.js';
import { CliError, UsageError } from '../framework/errors.js';

export const STAGE_NAMES: readonly PipelineStageName[] = ['review', 'development', 'staging', 'production'];
/** The order `pipelines:info` lists apps in, as Heroku's CLI does. */
const LISTING: readonly PipelineStageName[] = ['development', 'review', 'staging', 'production'];

export function parseStage(v: string | undefined): PipelineStageName {
  if (v === undefined) throw new UsageError(`Missing --stage: one of ${STAGE_NAMES.join(', ')}.`);
  if (!(STAGE_NAMES as readonly string[]).includes(v)) throw new UsageError(`Invalid --stage ${v}: use one of ${STAGE_NAMES.join(', ')}.`);
  return v as PipelineStageName;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A pipeline by id or name; several with that name is an error naming their ids. */
export async function findPipeline(api: ApiClient, idOrName: string | undefined): Promise<Pipeline> {
  if (!idOrName) throw new UsageError('Missing PIPELINE (a name or an id).');
  if (UUID.test(idOrName)) return api.get<Pipeline>(path`/pipelines/${idOrName}`);
  const found = await api.get<Pipeline[]>(`/pipelines?eq[name]=${encodeURIComponent(idOrName)}`);
  if (found.length === 0) throw new CliError('Pipeline not found');
  if (found.length > 1) throw new CliError(`Several pipelines are named ${idOrName}: use one of their ids (${found.map((p) => p.id).join(', ')}).`);
  return found[0];
}

export interface PipelineApp {
  app: App;
  coupling: PipelineCoupling;
}

/** The pipeline's apps with their couplings, in Heroku's listing order (then by name). */
export async function pipelineApps(api: ApiClient, pipeline: Pick<Pipeline, 'id'>): Promise<PipelineApp[]> {
  const couplings = await api.get<PipelineCoupling[]>(path`/pipelines/${pipeline.id}/pipeline-couplings`);
  if (couplings.length === 0) return [];
  const apps = await api.post<App[]>('/filters/apps', { in: { id: couplings.map((c) => c.app.id) } });
  const byId = new Map(apps.map((a) => [a.id, a]));
  return couplings
    .filter((c) => byId.has(c.app.id))
    .map((c) => ({ app: byId.get(c.app.id)!, coupling: c }))
    .sort((a, b) => LISTING.indexOf(a.coupling.stage) - LISTING.indexOf(b.coupling.stage) || a.app.name.localeCompare(b.app.name));
}

/** The app's coupling; Heroku's 404 message when it has none. */
export function appCoupling(api: ApiClient, app: string): Promise<PipelineCoupling> {
  return api.get<PipelineCoupling>(path`/apps/${app}/pipeline-couplings`);
}
