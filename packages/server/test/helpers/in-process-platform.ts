/**
 * The whole platform (main.ts `startPlatform`: store, logplex, dyno manager with the process
 * driver, builder, API with every room's routes, in-process router) in the test's own process, on
 * free ports with a temp data dir. For tests that need the full route table (`platform.routes`)
 * or the platform's log lines, which a child process does not hand over.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { testConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log/index.js';
import { startPlatform, type Platform } from '../../src/main.js';
import { freePort } from './platform.js';

export interface InProcessPlatform {
  url: string;
  token: string;
  config: Config;
  routes: Platform['routes'];
  /** The platform's own log lines (logfmt), info and above. */
  logLines: string[];
  stop(): Promise<void>;
}

export async function startInProcessPlatform(overrides: Partial<Config> = {}): Promise<InProcessPlatform> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-inproc-'));
  const token = 'in-process-admin-token-0123456789';
  const config = testConfig({
    dataDir, apiPort: await freePort(), routerPort: await freePort(), rendezvousPort: 0, listenHost: '127.0.0.1', runtime: 'process',
    routerProcess: false, buildIsolation: 'none', adminToken: token, apiRateLimit: 0, ...overrides,
  });
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => logLines.push(line) });
  const platform = await startPlatform(config, logger);
  return {
    url: platform.apiUrl as string, token, config: platform.config, routes: platform.routes, logLines,
    async stop() {
      await platform.stop('all');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
