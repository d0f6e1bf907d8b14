/** The store contract on SQLite: a fresh temp file per case, reopened from the same file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { silentLogger } from '../log/index.js';
import { runStoreContract } from './contract.case.js';
import { createStore } from './index.js';

const root = mkdtempSync(path.join(tmpdir(), 'slipway-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

runStoreContract('sqlite (file)', async () => {
  const dataDir = path.join(root, `case-${++n}`);
  const open = () => createStore({ databaseUrl: '', dataDir, logger: silentLogger });
  return { store: await open(), reopen: open };
});
