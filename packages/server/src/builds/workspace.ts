/**
 * A build's workspace outside the data dir (which the sandbox user must not read):
 * `<tmp>/slipway-builds/<random>/{app,cache,env,buildpacks}`. The parent is root-owned 0711, so a
 * build cannot list other builds' workspaces; the per-build dirs belong to the sandbox user.
 * The app's build cache lives in `<dataDir>/cache/<appId>` between builds and is moved in and out.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execOk } from './exec.js';

export interface Workspace {
  root: string;
  /** BUILD_DIR: becomes `/app` in the slug. */
  appDir: string;
  cacheDir: string;
  envDir: string;
  buildpacksDir: string;
  /** TMPDIR of the build steps (not part of the slug). */
  tmpDir: string;
}

export async function createWorkspace(): Promise<Workspace> {
  const parent = path.join(tmpdir(), 'slipway-builds');
  await mkdir(parent, { recursive: true });
  await chmod(parent, 0o711);
  const root = path.join(parent, randomBytes(16).toString('hex'));
  await mkdir(root, { mode: 0o711 });
  const ws: Workspace = {
    root,
    appDir: path.join(root, 'app'),
    cacheDir: path.join(root, 'cache'),
    envDir: path.join(root, 'env'),
    buildpacksDir: path.join(root, 'buildpacks'),
    tmpDir: path.join(root, 'tmp'),
  };
  for (const d of [ws.appDir, ws.envDir, ws.buildpacksDir, ws.tmpDir]) await mkdir(d, { mode: 0o700 });
  return ws;
}

/** Config vars as ENV_DIR files (one file per var, the value as content). */
export async function writeEnvDir(envDir: string, vars: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(vars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) continue;
    await writeFile(path.join(envDir, k), v, { mode: 0o600 });
  }
}

/** Gives the workspace's writable dirs to the sandbox user (symlinks themselves, never their targets). */
export async function grantWorkspace(ws: Workspace, owner: { uid: number; gid: number } | undefined): Promise<void> {
  if (!owner) return;
  await execOk('chown', ['-R', '-h', `${owner.uid}:${owner.gid}`, ws.appDir, ws.cacheDir, ws.envDir, ws.buildpacksDir, ws.tmpDir]);
}

/** Moves the app's cache from the data dir into the workspace (or creates an empty one). */
export async function restoreCache(stored: string, ws: Workspace): Promise<void> {
  if (await exists(stored)) await moveDir(stored, ws.cacheDir);
  else await mkdir(ws.cacheDir, { mode: 0o700 });
}

/** Moves the workspace's cache back into the data dir for the next build. */
export async function saveCache(ws: Workspace, stored: string): Promise<void> {
  if (!(await exists(ws.cacheDir))) return;
  await rm(stored, { recursive: true, force: true });
  await mkdir(path.dirname(stored), { recursive: true });
  await moveDir(ws.cacheDir, stored);
  await chmod(stored, 0o700);
}

export async function removeWorkspace(ws: Workspace): Promise<void> {
  await rm(ws.root, { recursive: true, force: true });
}

async function moveDir(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await execOk('cp', ['-a', from, to]);
    await rm(from, { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
