/**
 * Domains: the default `<app>.<domain>` (kind heroku) and custom ones.
 */
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { AppRecord, DomainRecord, UserRecord } from '../store/types.js';
import type { ServiceContext } from './context.js';
import { defaultHostname } from './app-ops.js';

const HOSTNAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

export function hostnameProblem(hostname: string, platformDomain: string): string | undefined {
  if (!HOSTNAME.test(hostname)) return `Invalid hostname "${hostname}": expected a fully qualified domain name like www.example.com.`;
  if (hostname === platformDomain || hostname.endsWith(`.${platformDomain}`)) return `Hostnames under ${platformDomain} are reserved for the platform.`;
  return undefined;
}

export function domainOps(ctx: ServiceContext) {
  const { store, events, config } = ctx;

  async function listDomains(app: AppRecord): Promise<DomainRecord[]> {
    return store.domains.list(app.id);
  }

  async function getDomain(app: AppRecord, idOrHostname: string): Promise<DomainRecord> {
    const d = await store.domains.get(app.id, idOrHostname.toLowerCase());
    if (!d) throw new NotFoundError('domain');
    return d;
  }

  async function addDomain(user: UserRecord, app: AppRecord, rawHostname: string): Promise<DomainRecord> {
    const hostname = rawHostname.trim().toLowerCase();
    const problem = hostnameProblem(hostname, config.domain);
    if (problem) throw new InvalidParamsError(problem, 'hostname');
    let line;
    const domain = await store.transaction(async (tx) => {
      if (await tx.domains.findByHostname(hostname)) throw new InvalidParamsError(`${hostname} is already in use by an app.`, 'hostname');
      const created = await tx.domains.create({ appId: app.id, hostname, kind: 'custom', cname: defaultHostname(app.name, config.domain) });
      line = await ctx.announce(tx, app, user, 'domain.add', `Add ${hostname} domain`, { hostname });
      return created;
    });
    ctx.publish(line ? [line] : []);
    events.emit('domain.changed', { appId: app.id });
    return domain;
  }

  async function removeDomain(user: UserRecord, app: AppRecord, idOrHostname: string): Promise<DomainRecord> {
    const domain = await getDomain(app, idOrHostname);
    if (domain.kind === 'heroku') throw new InvalidParamsError(`${domain.hostname} is the app's default domain and cannot be removed.`, 'hostname');
    let line;
    await store.transaction(async (tx) => {
      await tx.domains.delete(domain.id);
      line = await ctx.announce(tx, app, user, 'domain.remove', `Remove ${domain.hostname} domain`, { hostname: domain.hostname });
    });
    ctx.publish(line ? [line] : []);
    events.emit('domain.changed', { appId: app.id });
    return domain;
  }

  return { listDomains, getDomain, addDomain, removeDomain };
}
