/**
 * Store records → Heroku's JSON shapes (heroku-contract.md A24). Pure, given what they need.
 */
import { stableId, type Account, type App, type Collaborator, type Domain, type Formation, type Release } from '@slipway/contract';
import { apiBaseUrl, type Config } from '../config.js';
import { displaySize, type CollaboratorView } from '../apps/index.js';
import type { AppRecord, DomainRecord, FormationRecord, ReleaseRecord, SlugRecord, UserRecord } from '../store/types.js';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export const userRef = (u: UserRecord | undefined, id: string) => ({ id, email: u?.email ?? '' });
export const appRef = (app: AppRecord) => ({ id: app.id, name: app.name });

export function toAccount(u: UserRecord): Account {
  return {
    id: u.id, email: u.email, name: null, allow_tracking: false, beta: false,
    created_at: iso(u.createdAt)!, updated_at: iso(u.updatedAt)!, last_login: null,
    two_factor_authentication: false, verified: true, default_organization: null, default_team: null,
    admin: u.admin,
  };
}

export function webUrl(config: Config, name: string): string {
  return `http://${name}.${config.domain}${config.routerPort === 80 ? '' : `:${config.routerPort}`}/`;
}

export function toApp(config: Config, app: AppRecord, owner: UserRecord | undefined, slug?: SlugRecord): App {
  return {
    id: app.id,
    name: app.name,
    acm: false,
    archived_at: null,
    buildpack_provided_description: slug?.buildpackProvidedDescription ?? null,
    build_stack: { id: stableId('stack', app.stack), name: app.stack },
    stack: { id: stableId('stack', app.stack), name: app.stack },
    created_at: iso(app.createdAt)!,
    updated_at: iso(app.updatedAt)!,
    released_at: iso(app.releasedAt),
    git_url: `${apiBaseUrl(config)}/${app.name}.git`,
    web_url: webUrl(config, app.name),
    internal_routing: null,
    maintenance: app.maintenance,
    organization: null,
    team: null,
    space: null,
    owner: userRef(owner, app.ownerId),
    region: { id: stableId('region', app.region), name: app.region },
    repo_size: null,
    slug_size: slug?.size ?? null,
    generation: { id: stableId('generation', 'cedar'), name: 'cedar' },
    process_tier: 'production',
  };
}

export function toRelease(app: AppRecord, r: ReleaseRecord, user: UserRecord | undefined, currentId: string | undefined, outputStreamUrl: string | null): Release {
  return {
    id: r.id,
    version: r.version,
    description: r.description,
    status: r.status,
    current: r.id === currentId,
    eligible_for_rollback: r.status === 'succeeded',
    created_at: iso(r.createdAt)!,
    updated_at: iso(r.updatedAt)!,
    user: userRef(user, r.userId),
    app: appRef(app),
    slug: r.slugId ? { id: r.slugId } : null,
    addon_plan_names: [],
    output_stream_url: outputStreamUrl,
  };
}

export function toFormation(app: AppRecord, f: FormationRecord): Formation & { dyno_size: { id: string; name: string } } {
  const size = displaySize(f.size);
  return {
    id: f.id, app: appRef(app), type: f.type, quantity: f.quantity, size, command: f.command,
    created_at: iso(f.createdAt)!, updated_at: iso(f.updatedAt)!,
    dyno_size: { id: stableId('size', size.toLowerCase()), name: size },
  };
}

export function toDomain(app: AppRecord, d: DomainRecord): Domain {
  return {
    id: d.id, app: appRef(app), hostname: d.hostname, kind: d.kind, cname: d.cname,
    status: 'none', sni_endpoint: null, acm_status: null, acm_status_reason: null,
    created_at: iso(d.createdAt)!, updated_at: iso(d.updatedAt)!,
  };
}

export function toCollaborator(app: AppRecord, c: CollaboratorView): Collaborator {
  return {
    id: c.id, app: appRef(app), user: { id: c.user.id, email: c.user.email, federated: false }, role: c.role, permissions: [],
    created_at: iso(c.createdAt)!, updated_at: iso(c.updatedAt)!,
  };
}
