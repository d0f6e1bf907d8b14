/**
 * Collaborators: the owner is listed first with role `owner`; others are addressed by email or id.
 */
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { AppRecord, UserRecord } from '../store/types.js';
import { UUID, type ServiceContext } from './context.js';

export interface CollaboratorView {
  id: string;
  user: UserRecord;
  role: 'owner' | 'collaborator';
  createdAt: Date;
  updatedAt: Date;
}

export function collaboratorOps(ctx: ServiceContext) {
  const { store } = ctx;

  async function findUser(emailOrId: string): Promise<UserRecord | undefined> {
    const key = emailOrId.trim();
    if (key.includes('@')) return (await store.users.findByEmail(key)) ?? (await store.users.findByEmail(key.toLowerCase()));
    return UUID.test(key) ? store.users.get(key) : undefined;
  }

  async function listCollaborators(app: AppRecord): Promise<CollaboratorView[]> {
    const owner = await store.users.get(app.ownerId);
    const out: CollaboratorView[] = owner ? [{ id: owner.id, user: owner, role: 'owner', createdAt: app.createdAt, updatedAt: app.createdAt }] : [];
    for (const c of await store.collaborators.list(app.id)) {
      const user = await store.users.get(c.userId);
      if (user) out.push({ id: c.id, user, role: 'collaborator', createdAt: c.createdAt, updatedAt: c.updatedAt });
    }
    return out;
  }

  async function getCollaborator(app: AppRecord, emailOrId: string): Promise<CollaboratorView> {
    const all = await listCollaborators(app);
    const key = emailOrId.toLowerCase();
    const found = all.find((c) => c.id === emailOrId || c.user.id === emailOrId || c.user.email.toLowerCase() === key);
    if (!found) throw new NotFoundError('collaborator');
    return found;
  }

  async function addCollaborator(user: UserRecord, app: AppRecord, emailOrId: string): Promise<CollaboratorView> {
    const target = await findUser(emailOrId);
    if (!target) throw new NotFoundError('user', `Couldn't find that user (${emailOrId}).`);
    if (target.id === app.ownerId) throw new InvalidParamsError(`${target.email} already owns ${app.name}.`, 'user');
    const record = await store.transaction(async (tx) => {
      if (await tx.collaborators.find(app.id, target.id)) throw new InvalidParamsError(`${target.email} is already a collaborator on ${app.name}.`, 'user');
      const c = await tx.collaborators.add(app.id, target.id);
      await tx.audit.record({ appId: app.id, userId: user.id, action: 'collaborator.add', message: `Add ${target.email} as a collaborator by user ${user.email}`, data: { userId: target.id } });
      return c;
    });
    return { id: record.id, user: target, role: 'collaborator', createdAt: record.createdAt, updatedAt: record.updatedAt };
  }

  async function removeCollaborator(user: UserRecord, app: AppRecord, emailOrId: string): Promise<CollaboratorView> {
    const found = await getCollaborator(app, emailOrId);
    if (found.role === 'owner') throw new InvalidParamsError(`The owner of ${app.name} cannot be removed.`, 'user');
    await store.transaction(async (tx) => {
      await tx.collaborators.remove(app.id, found.user.id);
      await tx.audit.record({ appId: app.id, userId: user.id, action: 'collaborator.remove', message: `Remove ${found.user.email} as a collaborator by user ${user.email}`, data: { userId: found.user.id } });
    });
    return found;
  }

  return { listCollaborators, getCollaborator, addCollaborator, removeCollaborator };
}
