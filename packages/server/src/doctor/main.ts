/**
 * `node dist/src/doctor/main.js` (run by `slipway doctor`): checks this host and the platform's
 * configuration (the same SLIPWAY_* variables `slipway server` reads), prints one line per check and
 * exits 1 when the platform would run degraded.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../config.js';
import { doctorExitCode, formatReport, hostInput, runDoctor } from './index.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stdout.write(`FAIL  config  ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const results = await runDoctor(hostInput(config));
  process.stdout.write(formatReport(results));
  process.exitCode = doctorExitCode(results);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err) => {
    process.stderr.write(`slipway doctor: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
